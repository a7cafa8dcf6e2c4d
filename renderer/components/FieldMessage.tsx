// An error shown under the control that caused it: what was expected and what was found, the scenario line it
// points at (with a caret under the column) and how many more problems there are. The control keeps its text.
import type { FieldKey } from '../state/run-store'
import { useRun, useStore } from '../state/use-run'

export function FieldMessage({ field, testId }: { field: FieldKey; testId: string }) {
  const store = useStore()
  const error = useRun((s) => s.fieldErrors[field])
  if (!error) return null
  const x = error.excerpt
  const gutter = x ? `${x.line} | ` : ''
  return (
    <div className="field-error" role="alert" data-testid={testId} id={`${testId}`}>
      <div className="field-error-message">{error.message}</div>
      {x && (
        <pre className="field-error-excerpt" data-testid={`${testId}-excerpt`} data-line={x.line}>
          {`${gutter}${x.text}${x.column ? `\n${' '.repeat(gutter.length + x.column - 1)}^` : ''}`}
        </pre>
      )}
      {error.others > 0 && (
        <div className="muted" data-testid={`${testId}-others`}>
          and {error.others} more {error.others === 1 ? 'error' : 'errors'} (often follow-ons of the first)
        </div>
      )}
      <button type="button" className="small" onClick={() => store.setFieldError(field, undefined)}>
        Dismiss
      </button>
    </div>
  )
}

/** Whether a control has an error shown (for aria-invalid). */
export function useFieldInvalid(field: FieldKey): boolean {
  return useRun((s) => s.fieldErrors[field] !== undefined)
}
