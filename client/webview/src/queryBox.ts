// The query editor: a monospace textarea over a mirror that underlines the syntax error at its position, a
// completion list of field names, Ctrl+Enter to run. The mirror is filled with text nodes only.
import { el } from './dom';
import { completionsAt, Completions } from './completion';
import type { QuerySyntaxProblem } from './messages';

export class QueryBox {
  readonly element: HTMLElement;
  readonly input: HTMLTextAreaElement;
  private readonly mirror: HTMLElement;
  private readonly problemLine: HTMLElement;
  private readonly suggest: HTMLElement;
  private problem: QuerySyntaxProblem | null = null;
  private open?: Completions;
  private selected = 0;

  constructor(private readonly handlers: { onRun(): void; onChange(text: string): void }) {
    this.mirror = el('div', { className: 'qbox-mirror', attrs: { 'aria-hidden': 'true' } });
    this.input = el('textarea', { className: 'qbox-input', attrs: { spellcheck: 'false', rows: '3', 'aria-label': 'Query', placeholder: 'search | SQL    e.g. action:REJECT | select dstport, count(*) as n group by dstport order by n desc' } });
    this.suggest = el('div', { className: 'qbox-suggest', attrs: { role: 'listbox' } });
    this.suggest.hidden = true;
    this.problemLine = el('div', { className: 'qbox-problem', attrs: { role: 'status', 'aria-live': 'polite' } });
    this.element = el('div', { className: 'qbox-wrap' }, [el('div', { className: 'qbox' }, [this.mirror, this.input, this.suggest]), this.problemLine]);
    this.input.addEventListener('input', () => {
      this.setProblem(null);
      this.handlers.onChange(this.input.value);
      this.updateSuggestions(false);
    });
    this.input.addEventListener('scroll', () => {
      this.mirror.scrollTop = this.input.scrollTop;
      this.mirror.scrollLeft = this.input.scrollLeft;
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('blur', () => setTimeout(() => this.closeSuggestions(), 150));
    this.suggest.addEventListener('mousedown', (e) => {
      const item = (e.target as HTMLElement).closest<HTMLElement>('.qbox-item');
      if (!item) return;
      e.preventDefault();
      this.accept(Number(item.dataset.index));
    });
  }

  get value(): string {
    return this.input.value;
  }

  set value(text: string) {
    this.input.value = text;
    this.setProblem(null);
  }

  /** Underlines the error (or clears it) and shows its message. */
  setProblem(problem: QuerySyntaxProblem | null): void {
    this.problem = problem;
    const text = this.input.value;
    if (!problem) {
      this.mirror.replaceChildren(document.createTextNode(text + '\n'));
      this.problemLine.textContent = '';
      this.element.classList.remove('has-problem');
      return;
    }
    const at = Math.min(problem.offset, text.length);
    let end = at;
    while (end < text.length && !/\s/.test(text[end])) end++;
    if (end === at) end = Math.min(text.length, at + 1);
    const mark = el('mark', { className: 'qbox-error', text: at < text.length ? text.slice(at, end) : ' ' });
    this.mirror.replaceChildren(document.createTextNode(text.slice(0, at)), mark, document.createTextNode(text.slice(end) + '\n'));
    this.problemLine.textContent = `${problem.line}:${problem.column}  ${problem.message}`;
    this.element.classList.add('has-problem');
  }

  get currentProblem(): QuerySyntaxProblem | null {
    return this.problem;
  }

  focus(): void {
    this.input.focus();
  }

  private onKey(e: KeyboardEvent): void {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      e.preventDefault();
      this.closeSuggestions();
      this.handlers.onRun();
      return;
    }
    if (e.ctrlKey && e.key === ' ') {
      e.preventDefault();
      this.updateSuggestions(true);
      return;
    }
    if (!this.open) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = this.open.items.length;
      this.selected = (this.selected + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.renderSuggestions();
    } else if (e.key === 'Tab' || e.key === 'Enter') {
      e.preventDefault();
      this.accept(this.selected);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      this.closeSuggestions();
    }
  }

  private updateSuggestions(explicit: boolean): void {
    const caret = this.input.selectionStart ?? this.input.value.length;
    this.open = completionsAt(this.input.value, caret, explicit);
    this.selected = 0;
    this.renderSuggestions();
  }

  private renderSuggestions(): void {
    if (!this.open) {
      this.suggest.hidden = true;
      return;
    }
    this.suggest.replaceChildren(...this.open.items.map((item, i) =>
      el('div', { className: i === this.selected ? 'qbox-item selected' : 'qbox-item', text: item, attrs: { role: 'option', 'data-index': String(i), 'aria-selected': String(i === this.selected) } })));
    this.suggest.hidden = false;
  }

  private accept(index: number): void {
    const c = this.open;
    if (!c || !c.items[index]) return;
    const text = this.input.value;
    this.input.value = text.slice(0, c.from) + c.items[index] + text.slice(c.to);
    const caret = c.from + c.items[index].length;
    this.input.setSelectionRange(caret, caret);
    this.closeSuggestions();
    this.handlers.onChange(this.input.value);
    this.setProblem(null);
  }

  private closeSuggestions(): void {
    this.open = undefined;
    this.suggest.hidden = true;
  }
}
