// The request form: ask the server for the proposed decision as fields change (nothing is stored).
// Without JavaScript, the "Preview decision" button does the same by a normal form post.
(function () {
  "use strict";
  var form = document.getElementById("request-form");
  var panel = document.getElementById("decision");
  if (!form || !panel || !window.fetch) { return; }
  var timer = null, seq = 0;
  function preview() {
    var mine = ++seq;
    var body = new URLSearchParams(new FormData(form));
    body.delete("description"); // the decision never depends on it; it is not sent until filing
    fetch("/requests/preview", {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      // The fragment is rendered and escaped on the server by the same template as the no-script preview.
      if (data && mine === seq) { panel.innerHTML = data.html; }
    }).catch(function () {});
  }
  function soon() { clearTimeout(timer); timer = setTimeout(preview, 150); }
  form.addEventListener("change", soon);
  form.addEventListener("input", soon);
  preview();
})();
