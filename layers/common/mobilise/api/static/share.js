// "Copy the link" of the share links: the address is in a read-only field, which a person
// can select without this script; with it, a button (hidden without it) copies the address
// to the clipboard and says so. Nothing leaves the page.
for (const button of document.querySelectorAll("button[data-copy]")) {
  const field = document.getElementById(button.dataset.copy);
  const label = button.textContent;
  button.hidden = false;
  button.addEventListener("click", async () => {
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      return; // no clipboard (an older browser, no permission): the field stays selected
    }
    button.textContent = button.dataset.copied;
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
