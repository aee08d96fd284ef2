// The webview bundle's entry: one bundle for both panels; the page says which one it is.
import { mountQueryView } from './queryView';
import { mountSummaryView } from './summaryView';
import './style.css';

const root = document.getElementById('app')!;
if (document.body.dataset.view === 'summary') mountSummaryView(root);
else mountQueryView(root);
