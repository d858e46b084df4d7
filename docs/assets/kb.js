/* Knowledge-site scripts: the self-check quiz on module pages and tap/keyboard access to glossary
   definitions. Plain ES2017, no libraries, no network. Without JavaScript the page stays as written:
   questions, then the trainer's answers. */
(function () {
  "use strict";

  /* Interface text, by page language (document.documentElement.lang: zh / en). */
  var STRINGS = {
    zh: {
      check: "检查答案",
      retry: "重新作答",
      score: "得分：{score} / {total}",
      scoreNote: "（开放题不计分，可对照参考答案自查）",
      right: "回答正确",
      wrong: "回答错误",
      unanswered: "未作答",
      correctIs: "正确答案：{letters}",
      single: "单选题",
      multiple: "多选题（可选多项）",
      explanation: "解析",
      yourAnswer: "你的答案（不计分，仅供自己练习）",
      showAnswer: "显示参考答案",
      hideAnswer: "隐藏参考答案",
      reference: "参考答案",
      letterSep: "、",
      search: "搜索"
    },
    en: {
      check: "Check answers",
      retry: "Try again",
      score: "Score: {score} / {total}",
      scoreNote: " (open questions are not scored: compare with the reference answer)",
      right: "Correct",
      wrong: "Incorrect",
      unanswered: "Not answered",
      correctIs: "Correct answer: {letters}",
      single: "Choose one answer",
      multiple: "Choose all that apply",
      explanation: "Explanation",
      yourAnswer: "Your answer (not scored, for your own practice)",
      showAnswer: "Show reference answer",
      hideAnswer: "Hide reference answer",
      reference: "Reference answer",
      letterSep: ", ",
      search: "Search"
    }
  };

  function strings() {
    var lang = (document.documentElement.lang || "zh").toLowerCase();
    return lang.indexOf("zh") === 0 ? STRINGS.zh : STRINGS.en;
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function nextList(heading) {
    var node = heading ? heading.nextElementSibling : null;
    while (node && node.tagName !== "OL" && !/^H[1-6]$/.test(node.tagName)) node = node.nextElementSibling;
    return node && node.tagName === "OL" ? node : null;
  }

  /* "B。…", "A、B、D。…", "B. …", "A, B, D. …" → ["B"], ["A", "B", "D"]; anything else → []. */
  var LETTERS_RE = /^\s*([A-Z](?:\s*[、,，]\s*[A-Z])*)\s*(?:[。.．:：;；)）]|$)/;
  function answerLetters(li) {
    var m = LETTERS_RE.exec(li.textContent || "");
    return m ? m[1].split(/\s*[、,，]\s*/) : [];
  }

  /* ---------------------------------------------------------------------------------------------
     Self-check quiz
     --------------------------------------------------------------------------------------------- */
  var quizCount = 0;

  function setupQuiz(root) {
    var exHeading = root.querySelector("#exercises");
    var ansHeading = root.querySelector("#answers");
    if (!exHeading || !ansHeading || exHeading.hasAttribute("data-kb-quiz")) return;
    var questions = nextList(exHeading);
    var answers = nextList(ansHeading);
    if (!questions || !answers) return;
    exHeading.setAttribute("data-kb-quiz", "");
    var t = strings();
    var quizId = "kb-quiz-" + (++quizCount);
    var answerItems = Array.prototype.filter.call(answers.children, function (n) { return n.tagName === "LI"; });
    var scored = [];

    Array.prototype.filter.call(questions.children, function (n) { return n.tagName === "LI"; })
      .forEach(function (li, i) {
        var answer = answerItems[i];
        if (!answer) return;
        var options = li.querySelector(":scope > ul");
        var letters = answerLetters(answer);
        var qid = quizId + "-q" + (i + 1);
        if (options && letters.length) scored.push(choiceQuestion(li, options, answer, letters, qid, t));
        else openQuestion(li, answer, qid, t);
      });

    /* The trainer's answers stay in the page (print, no-JS) but are hidden until an attempt: with the
       hidden attribute, which Material's own list rule (.md-typeset ol:not([hidden])) respects; a
       class alone loses to that rule's higher specificity and leaves the answers on screen. */
    var answerNodes = [ansHeading, answers];
    answerNodes.forEach(function (n) { n.classList.add("kb-quiz-answers", "kb-quiz-answers--hidden"); n.hidden = true; });
    function revealAll() {
      answerNodes.forEach(function (n) { n.classList.remove("kb-quiz-answers--hidden"); n.hidden = false; });
    }
    if (location.hash === "#answers") revealAll();
    window.addEventListener("hashchange", function () { if (location.hash === "#answers") revealAll(); });

    questions.classList.add("kb-quiz");
    questions.setAttribute("data-kb-quiz-id", quizId);
    if (!scored.length) return;

    var result = el("p", { className: "kb-quiz__result", role: "status", "aria-live": "polite", id: quizId + "-result" });
    var check = el("button", { type: "button", className: "md-button md-button--primary kb-quiz__check", text: t.check });
    var retry = el("button", { type: "button", className: "md-button kb-quiz__retry", text: t.retry, hidden: "" });
    var actions = el("div", { className: "kb-quiz__actions kb-quiz__submit" }, [check, retry, result]);
    questions.parentNode.insertBefore(actions, questions.nextSibling);

    check.addEventListener("click", function () {
      var score = 0;
      scored.forEach(function (q) { if (q.grade()) score += 1; });
      var hasOpen = questions.querySelector(".kb-quiz__open") !== null;
      result.textContent = fill(t.score, { score: score, total: scored.length }) + (hasOpen ? t.scoreNote : "");
      result.classList.toggle("kb-quiz__result--full", score === scored.length);
      retry.hidden = false;
    });
    retry.addEventListener("click", function () {
      scored.forEach(function (q) { q.reset(); });
      result.textContent = "";
      retry.hidden = true;
      var first = questions.querySelector("input");
      if (first) first.focus();
    });
  }

  function moveQuestionText(li, stopAt) {
    /* A loose list already wraps the question in a <p>: use it. */
    var before = [];
    for (var n = li.firstChild; n && n !== stopAt; n = n.nextSibling) {
      if (n.nodeType === 1 || (n.nodeType === 3 && n.textContent.trim())) before.push(n);
    }
    if (before.length === 1 && before[0].tagName === "P") {
      before[0].classList.add("kb-quiz__question");
      return before[0];
    }
    var text = el("p", { className: "kb-quiz__question" });
    while (li.firstChild && li.firstChild !== stopAt) text.appendChild(li.firstChild);
    /* Trim whitespace-only text nodes at the edges. */
    while (text.lastChild && text.lastChild.nodeType === 3 && !text.lastChild.textContent.trim()) text.removeChild(text.lastChild);
    li.insertBefore(text, li.firstChild);
    return text;
  }

  function explanationBox(answer, label, id) {
    var box = el("div", { className: "kb-quiz__explanation", id: id, hidden: "" });
    box.appendChild(el("p", { className: "kb-quiz__explanation-label", text: label }));
    var body = el("div", { className: "kb-quiz__explanation-body" });
    Array.prototype.forEach.call(answer.childNodes, function (n) { body.appendChild(n.cloneNode(true)); });
    /* Cloned content must not duplicate ids. */
    Array.prototype.forEach.call(body.querySelectorAll("[id]"), function (n) { n.removeAttribute("id"); });
    box.appendChild(body);
    return box;
  }

  function choiceQuestion(li, options, answer, letters, qid, t) {
    var multiple = letters.length > 1;
    var question = moveQuestionText(li, options);
    question.id = qid + "-text";
    var hint = el("span", { className: "kb-quiz__hint", id: qid + "-hint", text: multiple ? t.multiple : t.single });
    var group = el("div", {
      className: "kb-quiz__options",
      role: multiple ? "group" : "radiogroup",
      "aria-labelledby": question.id,
      "aria-describedby": hint.id
    });
    var inputs = [];
    Array.prototype.filter.call(options.children, function (n) { return n.tagName === "LI"; })
      .forEach(function (opt, j) {
        var letter = String.fromCharCode(65 + j);
        var input = el("input", { type: multiple ? "checkbox" : "radio", name: qid, value: letter, id: qid + "-" + letter });
        var content = el("span", { className: "kb-quiz__option-text" });
        while (opt.firstChild) content.appendChild(opt.firstChild);
        var mark = el("span", { className: "kb-quiz__mark", "aria-hidden": "true" });
        var label = el("label", { className: "kb-quiz__option", for: input.id }, [
          input, el("span", { className: "kb-quiz__letter", text: letter + "." }), content, mark
        ]);
        inputs.push({ input: input, label: label, mark: mark, letter: letter });
        group.appendChild(label);
      });
    options.parentNode.replaceChild(group, options);
    question.appendChild(document.createTextNode(" "));
    question.appendChild(hint);

    var feedback = el("p", { className: "kb-quiz__feedback", id: qid + "-feedback", hidden: "" });
    var explanation = explanationBox(answer, t.explanation, qid + "-explanation");
    li.appendChild(feedback);
    li.appendChild(explanation);
    li.classList.add("kb-quiz__item", "kb-quiz__item--choice");

    function grade() {
      var chosen = inputs.filter(function (o) { return o.input.checked; }).map(function (o) { return o.letter; });
      var right = chosen.length === letters.length && letters.every(function (l) { return chosen.indexOf(l) >= 0; });
      inputs.forEach(function (o) {
        var isAnswer = letters.indexOf(o.letter) >= 0;
        o.label.classList.toggle("kb-quiz__option--answer", isAnswer);
        o.label.classList.toggle("kb-quiz__option--wrong", o.input.checked && !isAnswer);
        o.mark.textContent = isAnswer ? "\u2714" : (o.input.checked ? "\u2718" : "");
      });
      li.classList.toggle("kb-quiz__item--right", right);
      li.classList.toggle("kb-quiz__item--wrong", !right);
      var verdict = right ? t.right : (chosen.length ? t.wrong : t.unanswered);
      feedback.textContent = "";
      feedback.appendChild(el("span", { className: "kb-quiz__icon", "aria-hidden": "true", text: right ? "\u2714" : "\u2718" }));
      feedback.appendChild(el("strong", { text: verdict }));
      if (!right) feedback.appendChild(document.createTextNode(" \u2014 " + fill(t.correctIs, { letters: letters.join(t.letterSep) })));
      feedback.hidden = false;
      explanation.hidden = false;
      group.setAttribute("aria-describedby", hint.id + " " + feedback.id);
      return right;
    }

    function reset() {
      inputs.forEach(function (o) {
        o.input.checked = false;
        o.label.classList.remove("kb-quiz__option--answer", "kb-quiz__option--wrong");
        o.mark.textContent = "";
      });
      li.classList.remove("kb-quiz__item--right", "kb-quiz__item--wrong");
      feedback.hidden = true;
      explanation.hidden = true;
      group.setAttribute("aria-describedby", hint.id);
    }

    return { grade: grade, reset: reset };
  }

  function openQuestion(li, answer, qid, t) {
    var stop = li.querySelector(":scope > ul, :scope > ol");
    var question = moveQuestionText(li, stop);
    question.id = qid + "-text";
    var area = el("textarea", { className: "kb-quiz__textarea", id: qid + "-input", rows: "3", "aria-describedby": question.id });
    var label = el("label", { className: "kb-quiz__textarea-label", for: area.id, text: t.yourAnswer });
    var explanation = explanationBox(answer, t.reference, qid + "-explanation");
    var button = el("button", {
      type: "button", className: "md-button kb-quiz__show", text: t.showAnswer,
      "aria-expanded": "false", "aria-controls": explanation.id
    });
    button.addEventListener("click", function () {
      var open = explanation.hidden;
      explanation.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? t.hideAnswer : t.showAnswer;
    });
    var box = el("div", { className: "kb-quiz__open" }, [label, area, el("div", { className: "kb-quiz__actions" }, [button])]);
    li.insertBefore(box, stop ? stop.nextSibling : null);
    li.appendChild(explanation);
    li.classList.add("kb-quiz__item", "kb-quiz__item--open");
  }

  /* ---------------------------------------------------------------------------------------------
     Glossary terms (<abbr class="kb-term" title="…">, from kb/web/glossary_html.py). Material's
     content.tooltips shows the title on hover, on keyboard focus and on a tap (a tap elsewhere
     closes it), so the terms only need to be focusable. Without that feature, a tap or click
     toggles a small popover of our own; Escape or a tap elsewhere closes it.
     --------------------------------------------------------------------------------------------- */
  function materialTooltips() {
    var config = document.getElementById("__config");
    try {
      return JSON.parse(config.textContent).features.indexOf("content.tooltips") >= 0;
    } catch (err) {
      return false;
    }
  }

  function setupTerms(root) {
    var terms = root.querySelectorAll("abbr.kb-term:not([data-kb-term])");
    Array.prototype.forEach.call(terms, function (abbr) {
      abbr.setAttribute("data-kb-term", "");
      if (!abbr.hasAttribute("tabindex")) abbr.setAttribute("tabindex", "0");
    });
  }

  function setupTermPopover() {
    if (materialTooltips() || document.documentElement.hasAttribute("data-kb-term-pop")) return;
    document.documentElement.setAttribute("data-kb-term-pop", "");
    var open = null;
    function close() {
      if (!open) return;
      open.kbFor.removeAttribute("aria-describedby");
      open.remove();
      open = null;
    }
    function show(abbr) {
      close();
      var text = abbr.getAttribute("title") || "";
      if (!text) return;
      var pop = el("span", { className: "kb-term-pop", role: "tooltip", id: "kb-term-pop" }, [
        el("span", { className: "kb-term-pop__term", text: abbr.textContent }),
        el("span", { className: "kb-term-pop__text", text: text })
      ]);
      document.body.appendChild(pop);
      var r = abbr.getBoundingClientRect();
      var viewport = document.documentElement.clientWidth;
      var width = Math.min(320, viewport - 16);
      var left = Math.max(8, Math.min(r.left, viewport - width - 8));
      pop.style.width = width + "px";
      pop.style.left = (left + window.scrollX) + "px";
      pop.style.top = (r.bottom + window.scrollY + 6) + "px";
      abbr.setAttribute("aria-describedby", pop.id);
      pop.kbFor = abbr;
      open = pop;
    }
    document.addEventListener("click", function (e) {
      var abbr = e.target && e.target.closest ? e.target.closest("abbr.kb-term") : null;
      if (abbr && !(open && open.kbFor === abbr)) show(abbr);
      else if (!(open && abbr === null && open.contains(e.target))) close();
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") close();
      else if ((e.key === "Enter" || e.key === " ") && e.target.matches && e.target.matches("abbr.kb-term")) {
        e.preventDefault();
        if (open && open.kbFor === e.target) close();
        else show(e.target);
      }
    });
    window.addEventListener("resize", close);
  }

  /* ---------------------------------------------------------------------------------------------
     Printing (print.css): external links print their address unless their text already is the
     address; collapsed notes (<details>) are opened for the printout and closed again after.
     --------------------------------------------------------------------------------------------- */
  function bare(url) {
    return url.replace(/^https?:\/\//, "").replace(/\/$/, "");
  }

  function setupPrint(root) {
    Array.prototype.forEach.call(root.querySelectorAll("a[href^='http://'], a[href^='https://']"), function (a) {
      if (bare((a.textContent || "").trim()) === bare(a.getAttribute("href"))) a.setAttribute("data-kb-url-shown", "");
    });
    if (document.documentElement.hasAttribute("data-kb-print")) return;
    document.documentElement.setAttribute("data-kb-print", "");
    var opened = [];
    window.addEventListener("beforeprint", function () {
      opened = Array.prototype.filter.call(document.querySelectorAll("article details:not([open])"), function (d) {
        d.setAttribute("open", "");
        return true;
      });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (d) { d.removeAttribute("open"); });
      opened = [];
    });
  }

  /* ---------------------------------------------------------------------------------------------
     Language switch. mkdocs-static-i18n writes per-page <link rel="alternate" hreflang> tags (for
     search engines); Material's script takes every such link for a language root and fetches
     "<link>/sitemap.xml" from it (two 404s per page on a slow network), then rewrites the switch's
     target from that sitemap. The switch's own links already point at this page in the other
     language, so hide the head links from Material before it reads them: this script runs before
     DOMContentLoaded, when Material's document$ first emits. The tags stay in the HTML source.
     --------------------------------------------------------------------------------------------- */
  function detachAlternateLinks() {
    Array.prototype.forEach.call(document.querySelectorAll("head link[rel=alternate][hreflang]"), function (link) {
      link.setAttribute("data-kb-rel", "alternate");
      link.removeAttribute("rel");
    });
  }
  detachAlternateLinks();

  /* Material's search overlay is a role="dialog" without a name (axe: aria-dialog-name). */
  function nameSearchDialog() {
    var dialog = document.querySelector(".md-search[role=dialog]:not([aria-label]):not([aria-labelledby])");
    if (dialog) dialog.setAttribute("aria-label", strings().search);
  }

  /* --------------------------------------------------------------------------------------------- */
  function init() {
    var root = document.querySelector("article.md-content__inner") || document.body;
    try { setupQuiz(root); } catch (err) { if (window.console) console.warn("kb quiz:", err); }
    setupTerms(root);
    setupTermPopover();
    setupPrint(root);
    nameSearchDialog();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  /* Material's document$ observable (instant navigation) emits after each page swap. */
  if (typeof window.document$ !== "undefined" && window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { init(); });
  }
})();
