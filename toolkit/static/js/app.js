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
  let timer = null;
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        const response = await fetch(form.action, { method: "POST", body: new FormData(form), headers: { "X-Autosave": "1" } });
        const result = await response.json();
        if (status) status.textContent = result.saved ? `Draft saved at ${result.at}.` : "Not saved: check the highlighted fields.";
      } catch (error) {
        if (status) status.textContent = "Could not save just now; your text is still here.";
      }
    }, 3000);
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
