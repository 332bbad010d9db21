// The page behind the reset and invitation links: sets the password with
// resetPassword. The one-time token leaves the address bar at once.
(function () {
  "use strict";

  var token = new URLSearchParams(window.location.search).get("token") || "";
  window.history.replaceState(null, "", window.location.pathname);

  var form = document.getElementById("reset-form");
  var status = document.getElementById("reset-status");

  function say(message, kind) {
    status.textContent = message;
    status.className = "status " + (kind || "");
  }

  if (!token) {
    form.hidden = true;
    say("Lenken mangler koden sin. Åpne lenken fra e-posten på nytt.", "error");
    return;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var password = document.getElementById("new-password").value;
    if (password !== document.getElementById("repeat-password").value) {
      say("Passordene er ikke like.", "error");
      return;
    }
    say("Lagrer…");
    fetch("/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      credentials: "omit",
      body: JSON.stringify({
        query:
          "mutation ResetPassword($token: String!, $newPassword: String!) { resetPassword(token: $token, newPassword: $newPassword) { ok errors { code field message } } }",
        variables: { token: token, newPassword: password },
        operationName: "ResetPassword",
      }),
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (result) {
        var payload = result.data && result.data.resetPassword;
        if (payload && payload.ok) {
          form.hidden = true;
          say("Passordet er lagret. Du kan nå logge inn med e-postadressen din og det nye passordet.", "ok");
          return;
        }
        var errors = (payload && payload.errors) || result.errors || [];
        say(errors.length ? errors[0].message : "Passordet ble ikke lagret.", "error");
      })
      .catch(function () {
        say("Fikk ikke kontakt med serveren. Prøv igjen.", "error");
      });
  });
})();
