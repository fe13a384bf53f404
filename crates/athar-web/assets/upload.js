// Evidence uploads say how far they are: the form is sent by the page itself, its progress
// shown as it goes, and the page it answers with is followed. Without this script the form
// is sent as it is, the same file streamed the same way, without the progress.
(function () {
  "use strict";
  var form = document.getElementById("evidence-form");
  var bar = document.getElementById("evidence-progress");
  if (!form || !bar || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var said = document.getElementById("evidence-progress-text");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var request = new XMLHttpRequest();
    request.open("POST", form.getAttribute("action"));
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        said.textContent = said.getAttribute("data-sending").replace("{percent}", String(percent));
      }
    });
    request.addEventListener("load", function () {
      if (request.status >= 200 && request.status < 300 && request.responseURL) {
        window.location.assign(request.responseURL);
      } else {
        // Refused: the server's page says why; its words are shown here.
        var page = new DOMParser().parseFromString(request.responseText, "text/html");
        var why = page.querySelector(".error");
        said.textContent = why ? why.textContent : said.getAttribute("data-failed");
        bar.hidden = true;
      }
    });
    request.addEventListener("error", function () {
      said.textContent = said.getAttribute("data-failed");
    });
    bar.hidden = false;
    bar.value = 0;
    request.send(new FormData(form));
  });
})();
