/* Charts drawn while their tab was hidden have no size to fit; when a tab is shown, tell
 * them the window "resized" so that Plotly (responsive graphs) and AG Grid fit their boxes
 * at once instead of at the next real resize. */
(function () {
    "use strict";
    document.addEventListener("click", (event) => {
        const tab = event.target && event.target.closest && event.target.closest("#tabs .nav-link");
        if (!tab) { return; }
        // two frames: the pane is displayed in the first, laid out by the second
        window.requestAnimationFrame(() => window.requestAnimationFrame(
            () => window.dispatchEvent(new Event("resize"))
        ));
    });
}());
