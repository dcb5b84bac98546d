// Browser entry of the panel. Filled in by the extension issue.
document.body.dataset.ready = 'true';
