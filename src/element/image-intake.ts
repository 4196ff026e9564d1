// How <alexnet-classifier> takes an image from its user: a click (or Enter, Space) on the drop zone
// opens the file picker; a file dropped on it or pasted into the element is classified too.

/** Calls `onImage` with each image file picked, dropped on `dropZone` or pasted into `host`. */
export function acceptImages(host: HTMLElement, dropZone: HTMLElement, picker: HTMLInputElement, onImage: (file: File) => void): void {
  dropZone.addEventListener('click', () => picker.click());
  dropZone.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    picker.click();
  });
  picker.addEventListener('change', () => {
    const file = picker.files?.[0];
    // Picking the same file again fires 'change' again.
    picker.value = '';
    if (file) onImage(file);
  });
  dropZone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropZone.classList.add('dragging');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropZone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) onImage(file);
  });
  host.addEventListener('paste', (event) => {
    const file = [...(event.clipboardData?.files ?? [])].find((f) => f.type.startsWith('image/'));
    if (!file) return;
    event.preventDefault();
    onImage(file);
  });
}
