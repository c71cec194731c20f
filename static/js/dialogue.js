// Small improvements only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen reader and keyboard users meet it first.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
  }
});

// Coding workspace shortcuts (the keys are listed on the page). They act only when focus is not in a
// field that takes typing, so screen readers' own keys and the note field keep working.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-coding]");
  if (!form) {
    return;
  }
  var text = document.getElementById("contribution-text");

  function typing(element) {
    var tag = element && element.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (element && element.isContentEditable) ||
      (tag === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(element.type));
  }

  // The selection inside the contribution, as its text and where it starts in code points
  // (as the server counts; an emoji is two units in JavaScript strings).
  function selectedExcerpt() {
    var selection = window.getSelection();
    if (!text || !selection || selection.rangeCount === 0 || selection.isCollapsed) {
      return null;
    }
    var range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) {
      return null;
    }
    var before = document.createRange();
    before.selectNodeContents(text);
    before.setEnd(range.startContainer, range.startOffset);
    return {text: range.toString(), start: Array.from(before.toString()).length};
  }

  function press(selector) {
    var target = document.querySelector(selector);
    if (target && !target.disabled) {
      target.click();
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || typing(document.activeElement)) {
      return;
    }
    var key = event.key;
    var done = false;
    if (/^[1-9]$/.test(key)) {
      var box = form.querySelector('input[name=node][data-number="' + key + '"]');
      var excerpt = selectedExcerpt();
      if (box && excerpt) {
        document.getElementById("excerpt").value = excerpt.text;
        document.getElementById("excerpt-start").value = String(excerpt.start);
        document.getElementById("excerpt-node").value = box.value;
        done = press('#coding-form button[name=then][value=excerpt]');
      } else if (box) {
        box.click();
        done = true;
      }
    } else if (key === "a" || key === "b" || key === "c") {
      done = press('button[name=confirm][data-key="' + key + '"]');
    } else if (key === "s") {
      done = press('#coding-form button[name=then][value=next]');
    } else if (key === "n" || key === "p") {
      done = press('.coding-nav a[data-key="' + key + '"]');
    }
    if (done) {
      event.preventDefault();
    }
  });
});

// An export being built: ask for its page every two seconds and put in what changed, without reloading
// (a reload would move focus and a screen reader's place to the top). The status line is a live region,
// so the change from "being built" to "ready" or "failed" is announced; the row count beside it is not.
// Without JavaScript the page reloads itself (a meta refresh inside <noscript>).
document.addEventListener("DOMContentLoaded", function () {
  var job = document.querySelector("[data-export-job]");
  if (!job || !window.fetch || !window.DOMParser) {
    return;
  }
  function working(state) {
    return state === "queued" || state === "running";
  }
  if (!working(job.getAttribute("data-export-job"))) {
    return;
  }
  function check() {
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector("[data-export-job]");
        if (!fresh) {
          window.setTimeout(check, 5000);
          return;
        }
        var state = fresh.getAttribute("data-export-job");
        var status = job.querySelector("[data-export-job-status]");
        var freshStatus = fresh.querySelector("[data-export-job-status]");
        if (status && freshStatus && status.textContent !== freshStatus.textContent) {
          status.textContent = freshStatus.textContent;
        }
        var detail = job.querySelector("[data-export-job-detail]");
        var freshDetail = fresh.querySelector("[data-export-job-detail]");
        if (detail && freshDetail && detail.innerHTML !== freshDetail.innerHTML) {
          detail.innerHTML = freshDetail.innerHTML;
        }
        job.setAttribute("data-export-job", state);
        if (working(state)) {
          window.setTimeout(check, 2000);
        } else if (page.title) {
          document.title = page.title;
        }
      })
      .catch(function () { window.setTimeout(check, 5000); });
  }
  window.setTimeout(check, 2000);
});
