// The ICD-10 search under a code box (health/widgets/icd10.html): a code clicked in the results
// goes into the box (appended to a box of several codes), and the results close.
// No inline handlers (CSP).
document.addEventListener("click", (event) => {
  const choice = event.target.closest("[data-icd10-code]");
  if (!choice) return;
  event.preventDefault();
  const box = document.getElementById(choice.dataset.icd10For);
  if (!box) return;
  const code = choice.dataset.icd10Code;
  if (box.dataset.icd10Multiple) {
    const kept = box.value.split(/[;,]/).map((part) => part.trim()).filter(Boolean);
    kept.pop(); // the words typed to search
    kept.push(code);
    box.value = kept.join("; ");
  } else {
    box.value = code;
  }
  const results = choice.closest(".icd10-results");
  if (results) results.replaceChildren();
  box.focus();
});
