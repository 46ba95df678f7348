// The ballot, kept right and live on top of a page that works without JavaScript.
//
// Every answer about the ballot names the ballot version it was read at (X-Ballot-Version); the
// server raises the version in the same transaction as every vote, nomination, withdrawal,
// archiving and scheduling, so versions are a total order of the ballot's states. The rule here:
// the page never applies an answer older than the version it shows.
//
// - A vote answers with its row only. When the answer says it is the state right after the one the
//   page shows (X-Ballot-Before equals the page's version), the row is put in place: the rows it
//   passed shift by one rank. Otherwise others changed the ballot meanwhile, and the list is
//   fetched whole.
// - #ballot polls with If-None-Match; the server answers 304 without rendering while nothing
//   changed, and the new list when something did.
// - Requests from the page take turns (hx-sync on #ballot-section), so answers come in order.
//   Swaps keep each row's vote button element, so a click queued on it still goes out.
(function () {
  "use strict";

  const list = () => document.getElementById("ballot");
  const pageVersion = () => Number(list()?.dataset.version ?? -1);
  const numberHeader = (xhr, name) => {
    const value = xhr.getResponseHeader(name);
    return value === null || value === "" ? null : Number(value);
  };

  function say(message) {
    const status = document.getElementById("ballot-status");
    if (status) status.textContent = message;
  }

  function refresh() {
    const current = list();
    if (current) htmx.trigger(current, "ballot:refresh");
  }

  function parse(html) {
    const template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  // The old button takes the new one's attributes and text, then its place.
  function keepButtons(from, into) {
    for (const button of from.querySelectorAll("button.vote-button[id]")) {
      const twin = into.querySelector(`#${CSS.escape(button.id)}`);
      if (!twin) continue;
      for (const name of button.getAttributeNames()) button.removeAttribute(name);
      for (const name of twin.getAttributeNames()) button.setAttribute(name, twin.getAttribute(name));
      button.textContent = twin.textContent;
      twin.replaceWith(button);
    }
  }

  const rankOf = (row) => Number(row.dataset.rank || 0);

  function setRank(row, rank) {
    row.dataset.rank = String(rank);
    const label = row.querySelector(".rank");
    label.textContent = String(rank);
    label.setAttribute("aria-label", `Rank ${rank}`);
  }

  // Applies one vote's delta: returns false when the row's new place is not on the page.
  function placeRow(ballot, fresh, oldRank, newRank) {
    const ol = ballot.querySelector("ol.ballot");
    const current = document.getElementById(fresh.id);
    if (!ol || !current) return false;
    keepButtons(current, fresh);
    current.remove();
    if (oldRank !== null && newRank !== null && oldRank !== newRank) {
      const [low, high, step] = newRank < oldRank ? [newRank, oldRank - 1, 1] : [oldRank + 1, newRank, -1];
      for (const row of ol.querySelectorAll("li.ballot-row")) {
        const rank = rankOf(row);
        if (rank >= low && rank <= high) setRank(row, rank + step);
      }
    }
    const next = Array.from(ol.querySelectorAll("li.ballot-row")).find((row) => rankOf(row) > newRank);
    if (next) {
      ol.insertBefore(fresh, next);
    } else if (ballot.querySelector(".show-more")) {
      return false; // it moved below the rows shown: the list needs its next row
    } else {
      ol.appendChild(fresh);
    }
    htmx.process(fresh);
    return true;
  }

  function onRowAnswer(event) {
    const { xhr } = event.detail;
    event.detail.shouldSwap = false;
    const ballot = list();
    const fresh = parse(xhr.responseText);
    if (!ballot || !fresh) return;
    const version = numberHeader(xhr, "X-Ballot-Version");
    const before = numberHeader(xhr, "X-Ballot-Before");
    const error = fresh.querySelector(".vote-error");
    if (error) say(`${fresh.querySelector("h3")?.textContent.trim() ?? "This paper"}: ${error.textContent.trim()}`);
    if (version === null || version <= pageVersion()) return; // the page shows this state or a newer one
    if (before === pageVersion()) {
      const oldRank = numberHeader(xhr, "X-Ballot-Old-Rank");
      const newRank = numberHeader(xhr, "X-Ballot-Rank");
      if (newRank !== null && placeRow(ballot, fresh, oldRank, newRank)) {
        ballot.dataset.version = String(version);
        return;
      }
    } else if (error) {
      // Show the clicked row as it is (closed, with the reason) until the list comes.
      const current = document.getElementById(fresh.id);
      if (current) {
        keepButtons(current, fresh);
        current.replaceWith(fresh);
        htmx.process(fresh);
      }
    }
    refresh();
  }

  function onListAnswer(event) {
    const { xhr, requestConfig } = event.detail;
    const version = numberHeader(xhr, "X-Ballot-Version");
    if (version !== null && version < pageVersion()) {
      event.detail.shouldSwap = false; // older than what the page shows
      return;
    }
    const current = list();
    if (!current || requestConfig?.elt !== current) return; // filter and "Show more": htmx swaps
    // A poll or a refresh: swap it here so that vote buttons (and clicks queued on them) survive.
    event.detail.shouldSwap = false;
    const fresh = parse(xhr.responseText);
    if (!fresh) return;
    keepButtons(current, fresh);
    current.replaceWith(fresh);
    htmx.process(fresh);
  }

  document.addEventListener("htmx:beforeSwap", (event) => {
    const kind = event.detail.xhr.getResponseHeader("X-Ballot-Answer");
    if (kind === "row") return onRowAnswer(event);
    if (kind === "list") return onListAnswer(event);
    const elt = event.detail.requestConfig?.elt;
    const status = event.detail.xhr.status;
    // 304 is a poll's "nothing changed" (htmx asks here too, with shouldSwap false): all is well.
    if (elt?.closest?.("#ballot-section") && status < 400 && status !== 304) {
      // Not a ballot answer (a sign-in page after the session ended, say): keep the page.
      event.detail.shouldSwap = false;
      say("Your vote was not saved: sign in again, then reload the page.");
    }
  });

  // Polls say which state the page holds; "304 Not Modified" costs the server no rendering.
  document.addEventListener("htmx:configRequest", (event) => {
    const ballot = list();
    if (ballot && event.detail.elt === ballot && event.detail.verb === "get") {
      event.detail.headers["If-None-Match"] = `W/"${ballot.dataset.version}-${ballot.dataset.viewKey}"`;
    }
  });

  // No polling while the tab is hidden or after the ballot closed to this person; catch up on return.
  document.addEventListener("htmx:confirm", (event) => {
    const ballot = list();
    if (ballot && event.detail.elt === ballot && (document.hidden || ballot.dataset.stopped)) {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) refresh();
  });
  // Back and forward restore a snapshot of the page: ask at once whether it is still current.
  document.addEventListener("htmx:historyRestore", refresh);

  document.addEventListener("htmx:responseError", (event) => {
    const { xhr, elt } = event.detail;
    const ballot = list();
    if (!ballot || !(elt === ballot || ballot.contains(elt) || elt.closest?.("#ballot-section"))) return;
    let message;
    if (xhr.status === 403 || xhr.status === 404) {
      ballot.dataset.stopped = "yes";
      for (const button of ballot.querySelectorAll("button")) button.disabled = true;
      message = "You can no longer vote on this ballot: you are not a member of this group. Reload the page to see where things stand.";
    } else if (xhr.status === 429) {
      message = "Too many requests at once: wait a moment, then try again.";
    } else {
      message = `Paper Club could not do that (error ${xhr.status}). Nothing changed; try again.`;
    }
    say(message);
    rowMessage(elt, message);
  });

  // The reason also goes in the clicked row, where the person is looking.
  function rowMessage(elt, message) {
    const box = elt.closest?.(".vote-box");
    if (!box) return;
    let line = box.querySelector(".vote-error");
    if (!line) {
      line = document.createElement("p");
      line.className = "vote-error";
      line.setAttribute("role", "alert");
      box.appendChild(line);
    }
    line.textContent = message;
  }
  document.addEventListener("htmx:sendError", (event) => {
    if (event.detail.elt?.closest?.("#ballot-section")) {
      const message = "Paper Club did not answer: check your connection. Your last click may not have been saved.";
      say(message);
      rowMessage(event.detail.elt, message);
    }
  });

  // aria-busy while requests are out: screen readers wait, and tests know when the page settled.
  const out = new Set();
  const busy = () => document.getElementById("ballot-section")?.setAttribute("aria-busy", String(out.size > 0));
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt?.closest?.("#ballot-section")) {
      out.add(event.detail.xhr);
      busy();
    }
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    if (out.delete(event.detail.xhr)) busy();
  });
})();
