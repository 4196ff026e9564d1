// A confusion matrix as a small, dependency-free SVG: rows are true classes, columns predictions.

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function confusionMatrixSvg(matrix: number[][], labels: string[], title: string): string {
  const cell = 44;
  const left = 110;
  const top = 120;
  const n = labels.length;
  const width = left + n * cell + 20;
  const height = top + n * cell + 40;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="13">${escape(title)}</text>`,
    `<text x="${left + (n * cell) / 2}" y="${top - 78}" text-anchor="middle">predicted</text>`,
    `<text x="14" y="${top + (n * cell) / 2}" text-anchor="middle" transform="rotate(-90 14 ${top + (n * cell) / 2})">true class</text>`,
  ];
  for (let j = 0; j < n; j++) {
    const x = left + j * cell + cell / 2;
    parts.push(`<text x="${x}" y="${top - 6}" transform="rotate(-50 ${x} ${top - 6})">${escape(labels[j])}</text>`);
  }
  for (let i = 0; i < n; i++) {
    const total = matrix[i].reduce((a, b) => a + b, 0) || 1;
    parts.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${escape(labels[i])}</text>`);
    for (let j = 0; j < n; j++) {
      const share = matrix[i][j] / total;
      const shade = Math.round(255 - share * 200);
      const fill = i === j ? `rgb(${shade},${Math.round(255 - share * 120)},${shade})` : `rgb(255,${shade},${shade})`;
      parts.push(`<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#ddd"/>`);
      parts.push(`<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.6 ? 'white' : 'black'}">${matrix[i][j]}</text>`);
    }
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
