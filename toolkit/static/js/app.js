// Small progressive enhancements; every page works without them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (!source || !navigator.clipboard) return;
  navigator.clipboard.writeText(source.value || source.textContent).then(() => {
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// Notes: save the draft a few seconds after typing stops, so an idle sign-out loses nothing.
document.querySelectorAll("form[data-autosave]").forEach((form) => {
  const status = form.querySelector("[data-autosave-status]");
  const say = (text) => { if (status) status.textContent = text; };
  let timer = null;
  let signed = false;
  const save = async () => {
    try {
      const response = await fetch(form.action, { method: "POST", body: new FormData(form), headers: { "X-Autosave": "1" } });
      const result = await response.json();
      if (result.signed) {
        // Signed meanwhile (another tab, another device): nothing more is saved from here, and
        // the typed text stays on the page, to be copied into an addendum.
        signed = true;
        if (status) status.setAttribute("role", "alert");
        say(result.message);
        return;
      }
      say(result.saved ? `Draft saved at ${result.at}.` : "Not saved: check the highlighted fields.");
    } catch (error) {
      say("Could not save just now; your text is still here.");
    }
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    if (!signed) timer = setTimeout(save, 3000);
  });
  // Save draft and Sign and lock send the text themselves; an autosave after them would only race them.
  form.addEventListener("submit", () => clearTimeout(timer));
});

// A form that creates something is sent once: its buttons wait while it is on its way. The server
// stores a second sending once anyway (the form's submission key); this spares the wait and the doubt.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("form[data-submit-once]") || event.defaultPrevented) return;
  if (form.dataset.sending) {
    event.preventDefault();
    return;
  }
  form.dataset.sending = "1";
  // Disabled on the next turn: the browser reads the pressed button's name and value (joint_safe) first.
  setTimeout(() => form.querySelectorAll("button").forEach((button) => { button.disabled = true; }), 0);
});

// A page come back from the browser's back-forward cache can be sent again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-sending]").forEach((form) => {
    delete form.dataset.sending;
    form.querySelectorAll("button").forEach((button) => { button.disabled = false; });
  });
});

// Leave quickly: replace this page with a neutral site at once (no history entry), and end the
// session on the server in the background, without waiting for its answer. Esc does the same.
const quickExit = document.querySelector("form[data-quick-exit]");
if (quickExit) {
  const leave = (event) => {
    if (event) event.preventDefault();
    try { navigator.sendBeacon(quickExit.action, new FormData(quickExit)); } catch (error) { /* leave anyway */ }
    document.body.hidden = true;
    window.location.replace(quickExit.dataset.quickExit);
  };
  quickExit.addEventListener("submit", leave);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) leave(event);
  });
}
