// The function file the manifest requires: every Regarding button opens the task pane, so it only
// tells Office.js it is ready. A file of its own, because the Content-Security-Policy refuses inline scripts.
void Office.onReady();
