/* The page says when the server stops answering, and again when it is back.
 *
 * Dash sends every callback through window.fetch; a request that fails (the server is down
 * or restarting, a proxy answers 502/503/504) shows one sentence at the top of the page
 * instead of a silent console error. While it shows, the page asks the server every few
 * seconds whether it is back; the run watch (callbacks/watch.py) then brings the run's
 * true state back without a reload.
 */
(function () {
    "use strict";
    const BANNER_ID = "connection-banner";
    const RETRY_MS = 3000;
    const realFetch = window.fetch.bind(window);
    let retry = null;

    function banner() {
        let node = document.getElementById(BANNER_ID);
        if (!node) {
            node = document.createElement("div");
            node.id = BANNER_ID;
            node.setAttribute("role", "status");
            node.className = "connection-banner";
            node.hidden = true;
            document.body.appendChild(node);
        }
        return node;
    }

    function show(text) {
        const node = banner();
        node.textContent = text;
        node.hidden = false;
        if (retry === null) {
            retry = window.setInterval(ping, RETRY_MS);
        }
    }

    function hide() {
        const node = document.getElementById(BANNER_ID);
        if (node) { node.hidden = true; }
        if (retry !== null) { window.clearInterval(retry); retry = null; }
    }

    function ping() {
        realFetch(window.location.pathname, {method: "HEAD", cache: "no-store"})
            .then((answer) => { if (answer.ok) { hide(); } })
            .catch(() => {});
    }

    function isCallback(input) {
        const url = typeof input === "string" ? input : (input && input.url) || "";
        return url.indexOf("_dash-update-component") !== -1;
    }

    window.fetch = function (input, init) {
        const request = realFetch(input, init);
        if (!isCallback(input)) { return request; }
        return request.then((answer) => {
            if (answer.status === 502 || answer.status === 503 || answer.status === 504) {
                show("The server is not answering; retrying…");
            } else if (answer.ok) {
                hide();
            }
            return answer;
        }, (error) => {
            show("The server is not answering; retrying…");
            throw error;
        });
    };
}());
