// The intake form saves itself: every three seconds, when something was typed, it posts
// the form to the draft's autosave address and says in its status line whether all is
// saved. When the connection drops or the session ends the text stays on the page, the
// line says so, and saving resumes by itself once the server answers again. Without this
// script the form still works: its buttons save, add and remove events, and submit.
(function () {
  "use strict";
  var form = document.getElementById("intake");
  var state = document.getElementById("save-state");
  if (!form || !state || !window.fetch || !window.FormData) {
    return;
  }
  var address = form.getAttribute("data-autosave");
  var changed = false;
  var saving = false;
  var stopped = false;

  function say(which) {
    var text = state.getAttribute("data-" + which);
    if (text && state.textContent !== text) {
      state.textContent = text;
    }
    state.setAttribute("data-state", which);
  }

  function save() {
    if (!changed || saving || stopped) {
      return;
    }
    saving = true;
    changed = false;
    var body = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name !== "intent") {
        body.append(name, value);
      }
    });
    body.append("intent", "autosave");
    fetch(address, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "error",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.ok) {
        return response.json().then(function (saved) {
          form.elements.rev.value = String(saved.rev);
          if (!changed) {
            say("saved");
          }
        });
      }
      changed = true;
      if (response.status === 401 || response.status === 403) {
        // Signed out, or signed in again since the page was made: take this session's
        // form token if there is one, and save at the next turn.
        say("signed-out");
        return renewToken();
      } else if (response.status === 409) {
        // Another window saved it: the Save button shows what differs.
        stopped = true;
        say("conflict");
      } else {
        say("failed");
      }
    }, function () {
      changed = true;
      say("offline");
    }).then(function () {
      saving = false;
    });
  }

  function renewToken() {
    return fetch("/session/form-token", {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) {
        return;
      }
      return response.json().then(function (session) {
        form.elements.csrf.value = session.csrf;
      });
    }, function () {
      say("offline");
    });
  }

  form.addEventListener("input", function () {
    changed = true;
    say("unsaved");
  });
  form.addEventListener("submit", function () {
    // A button press saves everything typed; nothing is left for the timer.
    changed = false;
    stopped = true;
  });
  window.addEventListener("online", save);
  window.setInterval(save, 3000);
  window.addEventListener("beforeunload", function (event) {
    if (changed) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
