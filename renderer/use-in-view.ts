// Whether an element is on screen (an IntersectionObserver): charts scrolled out of view skip the redraws a
// playing run asks for, and catch up when they come back.
import { useEffect, useState, type RefObject } from 'react'

export function useInView(ref: RefObject<HTMLElement | null>): boolean {
  const [inView, setInView] = useState(true)
  useEffect(() => {
    const el = ref.current
    if (!el) return
    const observer = new IntersectionObserver((entries) => {
      const entry = entries[entries.length - 1]
      if (entry) setInView(entry.isIntersecting)
    })
    observer.observe(el)
    return () => observer.disconnect()
  }, [ref])
  return inView
}
