// The ranked ballot's form, with drag to reorder on top of its number boxes (which work alone).
//
// A member drags a paper within "Your ranking", or between it and "Not ranked"; on drop the boxes
// are renumbered from the lists' order (1, 2, 3 ... in "Your ranking", empty below) and the form
// is submitted; htmx posts it and swaps in the answer (the form as saved, or with its errors).
// Then #ballot, the count, is asked for its new state; static/js/ballot.js keeps its versions.
(function () {
  "use strict";

  let dragged = null;

  const lists = () => [document.getElementById("my-ranking"), document.getElementById("not-ranked")];

  function renumber() {
    const [ranked, unranked] = lists();
    if (!ranked || !unranked) return;
    ranked.querySelectorAll("li.rank-row").forEach((row, index) => {
      row.querySelector("input.rank-input").value = String(index + 1);
    });
    unranked.querySelectorAll("li.rank-row input.rank-input").forEach((input) => {
      input.value = "";
    });
  }

  // The row the dragged one goes before: the first whose middle is below the pointer.
  function rowAfter(list, y) {
    for (const row of list.querySelectorAll("li.rank-row")) {
      if (row === dragged) continue;
      const box = row.getBoundingClientRect();
      if (y < box.top + box.height / 2) return row;
    }
    return null;
  }

  document.addEventListener("dragstart", (event) => {
    const row = event.target.closest?.("#ranking li.rank-row");
    if (!row) return;
    dragged = row;
    row.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.id);
  });

  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const list = event.target.closest?.("#my-ranking, #not-ranked");
    if (!list) return;
    event.preventDefault();
    const after = rowAfter(list, event.clientY);
    if (after) list.insertBefore(dragged, after);
    else list.appendChild(dragged);
  });

  document.addEventListener("drop", (event) => {
    if (dragged && event.target.closest?.("#my-ranking, #not-ranked")) event.preventDefault();
  });

  document.addEventListener("dragend", () => {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    renumber();
    document.getElementById("ranking")?.requestSubmit();
  });

  // aria-busy while the form is out (screen readers wait; tests know when it settled); then the
  // count catches up. Watched on the request itself: the form that sent it is swapped out.
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt?.id !== "ranking") return;
    const section = document.getElementById("ranking-section");
    section?.setAttribute("aria-busy", "true");
    const { xhr } = event.detail;
    xhr.addEventListener("loadend", () => {
      section?.setAttribute("aria-busy", "false");
      const count = document.getElementById("ballot");
      if (count && xhr.status === 200) htmx.trigger(count, "ballot:refresh");
    });
  });
})();
