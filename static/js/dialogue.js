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
