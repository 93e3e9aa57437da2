// Passkeys (WebAuthn): the site's only script. Every page works without it; with it, buttons
// marked data-passkey run a ceremony against the server's JSON endpoints and then follow the
// address the server answers with.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    base64 += "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(base64), function (c) { return c.charCodeAt(0); }).buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(url, token, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("refused");
      }
      return response.json();
    });
  }

  function create(options, discoverable) {
    var key = options.publicKey;
    key.challenge = toBytes(key.challenge);
    key.user.id = toBytes(key.user.id);
    (key.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    if (discoverable) {
      key.authenticatorSelection = key.authenticatorSelection || {};
      key.authenticatorSelection.residentKey = "required";
      key.authenticatorSelection.requireResidentKey = true;
    }
    return navigator.credentials.create(options).then(function (c) {
      return {
        id: c.id,
        rawId: toText(c.rawId),
        type: c.type,
        extensions: c.getClientExtensionResults(),
        response: {
          attestationObject: toText(c.response.attestationObject),
          clientDataJSON: toText(c.response.clientDataJSON),
          transports: c.response.getTransports ? c.response.getTransports() : []
        }
      };
    });
  }

  function get(options) {
    var key = options.publicKey;
    key.challenge = toBytes(key.challenge);
    (key.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return navigator.credentials.get(options).then(function (c) {
      return {
        id: c.id,
        rawId: toText(c.rawId),
        type: c.type,
        extensions: c.getClientExtensionResults(),
        response: {
          authenticatorData: toText(c.response.authenticatorData),
          clientDataJSON: toText(c.response.clientDataJSON),
          signature: toText(c.response.signature),
          userHandle: c.response.userHandle ? toText(c.response.userHandle) : null
        }
      };
    });
  }

  function run(button) {
    var status = document.getElementById(button.getAttribute("data-status"));
    var token = button.getAttribute("data-csrf");
    var kind = button.getAttribute("data-passkey");
    button.disabled = true;
    status.textContent = button.getAttribute("data-working");
    post(button.getAttribute("data-start"), token, {})
      .then(function (start) {
        var answer = kind === "get" ? get(start.options) : create(start.options, kind === "create-discoverable");
        return answer.then(function (credential) {
          return post(button.getAttribute("data-finish"), token, {
            ceremony: start.ceremony,
            credential: credential
          });
        });
      })
      .then(function (done) {
        window.location.assign(done.next);
      })
      .catch(function () {
        status.textContent = button.getAttribute("data-failed");
        button.disabled = false;
      });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-passkey]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { run(button); });
  });
})();
