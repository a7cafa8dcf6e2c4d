// A chart as a PNG: the chart's <svg> serialized (with the computed text styles inlined, since the
// page's stylesheet does not travel with it), drawn onto a canvas under a title, the run it comes from
// (scenario, policy, seed, simulated time) and a legend; the same facts go into the file as text chunks.
import { withPngText } from './png-text'

export interface LegendEntry {
  label: string
  color: string
}

/** Which run a chart shows: a line under its title, and text chunks in the file. */
export interface ChartSource {
  /** "Scale test · lr-mmt-1.2 · seed 42 · at 0d 06:00" */
  caption: string
  /** PNG text keywords (Title, Description, Source, …) and their text */
  text: Record<string, string>
}

const SCALE = 2
const TITLE = 26
const CAPTION = 16
const LEGEND_LINE = 18

function inlineTextStyles(source: SVGSVGElement, clone: SVGSVGElement): void {
  const from = source.querySelectorAll('text, tspan')
  const to = clone.querySelectorAll('text, tspan')
  from.forEach((el, i) => {
    const target = to[i]
    if (!target) return
    const cs = getComputedStyle(el)
    target.setAttribute('font-family', cs.fontFamily)
    target.setAttribute('font-size', cs.fontSize)
    if (!target.getAttribute('fill')) target.setAttribute('fill', cs.fill || '#333')
  })
}

export async function chartToPng(
  svg: SVGSVGElement,
  title: string,
  legend: LegendEntry[],
  source?: ChartSource,
): Promise<Blob> {
  const width = Math.ceil(svg.clientWidth || svg.getBoundingClientRect().width)
  const height = Math.ceil(svg.clientHeight || svg.getBoundingClientRect().height)
  const clone = svg.cloneNode(true) as SVGSVGElement
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg')
  clone.setAttribute('width', String(width))
  clone.setAttribute('height', String(height))
  inlineTextStyles(svg, clone)
  const text = new XMLSerializer().serializeToString(clone)
  const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml;charset=utf-8' }))
  try {
    const image = new Image()
    image.src = url
    await image.decode()
    // Lay the legend out first (wrapping at the chart's width) to know how tall the header is.
    const font = getComputedStyle(document.body).fontFamily
    const measure = document.createElement('canvas').getContext('2d')
    if (!measure) throw new Error('no 2D canvas')
    measure.font = `12px ${font}`
    const placed: { entry: LegendEntry; x: number; y: number }[] = []
    let x = 10
    let y = TITLE + (source ? CAPTION : 0) + 8
    for (const entry of legend) {
      const w = 16 + measure.measureText(entry.label).width
      if (x > 10 && x + w > width - 10) {
        x = 10
        y += LEGEND_LINE
      }
      placed.push({ entry, x, y })
      x += w + 14
    }
    const head = y + 12
    const canvas = document.createElement('canvas')
    canvas.width = width * SCALE
    canvas.height = (height + head) * SCALE
    const ctx = canvas.getContext('2d')
    if (!ctx) throw new Error('no 2D canvas')
    ctx.scale(SCALE, SCALE)
    ctx.fillStyle = '#ffffff'
    ctx.fillRect(0, 0, width, height + head)
    ctx.fillStyle = '#111827'
    ctx.font = `600 14px ${font}`
    ctx.fillText(title, 10, 18)
    if (source) {
      ctx.fillStyle = '#4b5563'
      ctx.font = `12px ${font}`
      ctx.fillText(source.caption, 10, 18 + CAPTION)
    }
    ctx.font = `12px ${font}`
    for (const p of placed) {
      ctx.fillStyle = p.entry.color
      ctx.fillRect(p.x, p.y - 6, 12, 4)
      ctx.fillStyle = '#374151'
      ctx.fillText(p.entry.label, p.x + 16, p.y)
    }
    ctx.drawImage(image, 0, head, width, height)
    const png = await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
    )
    if (!source) return png
    const bytes = withPngText(new Uint8Array(await png.arrayBuffer()), { Title: title, ...source.text })
    return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'image/png' })
  } finally {
    URL.revokeObjectURL(url)
  }
}
