/* @mention suggestions in note forms: typing "@" and a letter or more in the textarea of a
 * `form[data-mentions]` lists the group's members who match (GET <data-mentions>?q=..., the
 * #options partial of groups/notes/mentions.html) under it. Arrow keys move, Enter or Tab or a
 * click inserts "@handle ", Escape closes. The textarea is the combobox of a role="listbox" list
 * (aria-expanded, aria-controls, aria-activedescendant). Everything here is an enhancement:
 * without it people type @handle themselves. Events are delegated, so forms htmx swaps in work. */
(function () {
  "use strict";

  // "@" and the letters typed so far, before the caret; the server's MENTION_RE in other words.
  var TOKEN = /(^|[^\p{L}\p{N}_@.+-])@([\p{L}\p{N}_.+-]{1,80})$/u;
  var open = null; // {textarea, list, start}: the one list shown
  var timer = null;
  var asked = 0; // answers to older requests are dropped

  function formOf(textarea) {
    return textarea.tagName === "TEXTAREA" ? textarea.closest("form[data-mentions]") : null;
  }

  function listFor(textarea) {
    var id = textarea.id + "-mentions";
    var list = document.getElementById(id);
    if (!list) {
      list = document.createElement("ul");
      list.id = id;
      list.className = "mention-list";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Members to mention");
      list.hidden = true;
      textarea.insertAdjacentElement("afterend", list);
      textarea.setAttribute("aria-autocomplete", "list");
      textarea.setAttribute("aria-controls", id);
      textarea.setAttribute("aria-expanded", "false");
    }
    return list;
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
  }

  function close() {
    if (!open) return;
    open.list.hidden = true;
    open.list.replaceChildren();
    open.textarea.setAttribute("aria-expanded", "false");
    open.textarea.removeAttribute("aria-activedescendant");
    open = null;
  }

  function activate(index) {
    var all = options(open.list);
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    open.textarea.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function activeIndex() {
    return options(open.list).findIndex(function (option) {
      return option.getAttribute("aria-selected") === "true";
    });
  }

  function choose(option) {
    var textarea = open.textarea;
    var text = "@" + option.dataset.handle + " ";
    textarea.setRangeText(text, open.start, textarea.selectionStart, "end");
    close();
    textarea.focus();
  }

  function suggest(textarea) {
    var form = formOf(textarea);
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = textarea.selectionStart === textarea.selectionEnd && TOKEN.exec(before);
    var ask = ++asked;
    clearTimeout(timer);
    if (!form || !match) {
      close();
      return;
    }
    var start = before.length - match[2].length - 1;
    timer = setTimeout(function () {
      var url = form.dataset.mentions + "?q=" + encodeURIComponent(match[2]);
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok && !response.redirected ? response.text() : "";
        })
        .then(function (html) {
          if (ask !== asked || document.activeElement !== textarea) return;
          show(textarea, start, html);
        })
        .catch(close);
    }, 120);
  }

  function show(textarea, start, html) {
    if (open && open.textarea !== textarea) close();
    var list = listFor(textarea);
    // The server escaped every name in the partial (Django's autoescape).
    list.innerHTML = html;
    open = { textarea: textarea, list: list, start: start };
    var all = options(list);
    if (!all.length) {
      close();
      return;
    }
    all.forEach(function (option, i) {
      option.id = list.id + "-" + i;
    });
    // Right under the textarea as it is now (people resize it); the form is its offset parent.
    list.style.top = textarea.offsetTop + textarea.offsetHeight + 3 + "px";
    list.style.left = textarea.offsetLeft + "px";
    list.hidden = false;
    textarea.setAttribute("aria-expanded", "true");
    activate(0);
  }

  function onKeydown(event) {
    if (!open || event.target !== open.textarea) return;
    var count = options(open.list).length;
    var index = activeIndex();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      activate((index + (event.key === "ArrowDown" ? 1 : count - 1)) % count);
    } else if ((event.key === "Enter" || event.key === "Tab") && !event.shiftKey && index >= 0) {
      event.preventDefault();
      choose(options(open.list)[index]);
    } else if (/^(ArrowLeft|ArrowRight|Home|End|PageUp|PageDown)$/.test(event.key)) {
      close(); // the caret leaves the "@..." being typed
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  }

  function start() {
    // Wired up on focus, so a screen reader announces an autocompleting box before any "@".
    document.addEventListener("focusin", function (event) {
      if (formOf(event.target)) listFor(event.target);
    });
    document.addEventListener("input", function (event) {
      if (formOf(event.target)) suggest(event.target);
    });
    document.addEventListener("keydown", onKeydown);
    document.addEventListener("focusout", function (event) {
      if (open && event.target === open.textarea) close();
    });
    // mousedown would take the focus from the textarea (and close the list) before the click.
    document.addEventListener("mousedown", function (event) {
      if (open && event.target.closest(".mention-list")) event.preventDefault();
    });
    document.addEventListener("click", function (event) {
      var option = open && event.target.closest(".mention-list [role=option]");
      if (option && open.list.contains(option)) choose(option);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
