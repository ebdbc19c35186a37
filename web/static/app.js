() => {
  // Clicking [n] in an answer brings its source card into view and highlights it.
  // One listener for the whole page (capture phase, before the chat's own link handling), so it also
  // works for answers rendered later.
  const show = (card) => {
    document.querySelectorAll(".qa-source.qa-active").forEach((el) => el.classList.remove("qa-active"));
    const details = card.closest("details");
    if (details) details.open = true;
    card.classList.add("qa-active");
    card.scrollIntoView({ behavior: "smooth", block: "center" });
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest ? event.target.closest("a.qa-cite") : null;
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const id = link.dataset.src || (link.getAttribute("href") || "").replace(/^#/, "");
    const card = id && document.getElementById(id);
    if (card) show(card);
  }, true);
}
