/* LSTM Lab uploads: post the chosen or dropped file to the server as multipart form data.
 *
 * dcc.Upload draws the drop box and opens the file dialog, but it would read the file into a
 * base64 string and send it inside a callback body (+33 %, all in browser memory). This script
 * takes the file first (capture phase, before React sees the event), posts it to the upload
 * route (Werkzeug spools it to disk), and hands the JSON answer to the page by setting the
 * data of a dcc.Store; a Dash callback does the rest. Everything it needs is in the data-*
 * attributes of the .lab-upload box, so no id is typed twice.
 */
(function () {
  "use strict";

  function boxOf(event) {
    return event.target instanceof Element ? event.target.closest(".lab-upload") : null;
  }

  function storeData(id) {
    const api = window.dash_component_api;
    const layout = api && api.getLayout ? api.getLayout(id) : null;
    return layout && layout.props ? layout.props.data : null;
  }

  function say(box, text, color) {
    window.dash_clientside.set_props(box.dataset.message, {children: text, color: color, is_open: true});
  }

  function answer(box, data) {
    window.dash_clientside.set_props(box.dataset.result, {data: {...data, received: Date.now()}});
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0);
  }

  function refusal(status, limit) {
    if (status === 413) {
      return `The file is larger than the ${limit ? limit.max_mb + " MB " : ""}upload limit; ` +
        "upload a smaller file, for example with fewer rows or columns.";
    }
    if (status === 0) {
      return "The upload did not reach the server (the connection was lost); check your " +
        "network and try again.";
    }
    return `The server could not take the file (HTTP ${status}); try again in a moment.`;
  }

  function send(box, file) {
    const limit = storeData(box.dataset.limit);
    if (limit && file.size > limit.max_bytes) {
      answer(box, {error: `${file.name} is ${megabytes(file.size)} MB, over the ` +
        `${limit.max_mb} MB upload limit; upload a smaller file, for example with fewer rows.`});
      return;
    }
    const form = new FormData();
    form.append("session", storeData(box.dataset.session) || "");
    form.append("file", file, file.name);
    const request = new XMLHttpRequest();
    request.open("POST", box.dataset.url);
    request.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 1048576) {
        say(box, `Uploading ${file.name}: ${Math.round((100 * e.loaded) / e.total)} %`, "info");
      }
    };
    request.upload.onload = () => say(box, `Reading ${file.name}…`, "info");
    request.onload = () => {
      let data = null;
      try { data = JSON.parse(request.responseText); } catch (error) { data = null; }
      if (!data || (!data.upload && !data.error)) { data = {error: refusal(request.status, limit)}; }
      answer(box, data);
    };
    request.onerror = () => answer(box, {error: refusal(0, limit)});
    box.classList.add("busy");
    request.onloadend = () => box.classList.remove("busy");
    say(box, `Uploading ${file.name}…`, "info");
    request.send(form);
  }

  function take(event) {
    const box = boxOf(event);
    if (!box) {
      if (event.type === "drop" || event.type === "dragover") { event.preventDefault(); }
      return;  // a file dropped beside the box must not replace the page
    }
    event.preventDefault();
    event.stopPropagation();  // dcc.Upload never sees the file, so no base64 copy is made
    if (event.type === "dragenter" || event.type === "dragover") {
      box.classList.add("dragging");
      return;
    }
    box.classList.remove("dragging");
    if (event.type === "dragleave") { return; }
    const files = event.type === "drop" ? event.dataTransfer.files : event.target.files;
    if (files && files.length) { send(box, files[0]); }
    if (event.type === "change") { event.target.value = ""; }  // the same file can come again
  }

  window.addEventListener("change", (e) => { if (e.target.type === "file") { take(e); } }, true);
  ["dragenter", "dragover", "dragleave", "drop"].forEach((type) => {
    window.addEventListener(type, take, true);
  });
})();
