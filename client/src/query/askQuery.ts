// Asks for a query: recent queries are offered first, then an input box validates the query as the user types
// (the parser's error, with its position, shows under the box).
import * as vscode from 'vscode';
import { FlowLogClient } from '../languageClient';
import { queryProblem } from './queryClient';
import { RecentQueries } from './recentQueries';

const NEW_QUERY = '$(edit) New query…';

async function pickRecent(recent: RecentQueries, title: string): Promise<string | undefined | null> {
  const queries = recent.list();
  if (queries.length === 0) return '';
  const choice = await vscode.window.showQuickPick(
    [{ label: NEW_QUERY }, ...queries.map((q) => ({ label: q, description: 'recent' }))],
    { title, placeHolder: 'A recent query to run or edit, or a new one' },
  );
  if (!choice) return null;
  return choice.label === NEW_QUERY ? '' : choice.label;
}

export async function askQuery(client: FlowLogClient, recent: RecentQueries, title: string, prompt: string, initial?: string): Promise<string | undefined> {
  const start = initial ?? (await pickRecent(recent, title));
  if (start === null) return undefined;
  const box = vscode.window.createInputBox();
  box.title = title;
  box.prompt = prompt;
  box.placeholder = 'action:REJECT AND dstport:3389 | select srcaddr, count(*) as n group by srcaddr order by n desc';
  box.value = start ?? '';
  box.ignoreFocusOut = true;
  let generation = 0;
  const validate = async (value: string) => {
    const mine = ++generation;
    const problem = await queryProblem(client, value);
    if (mine === generation) box.validationMessage = problem;
    return problem;
  };
  return new Promise<string | undefined>((resolve) => {
    let done = false;
    const finish = (v: string | undefined) => {
      if (done) return;
      done = true;
      resolve(v);
      box.dispose();
    };
    box.onDidChangeValue((v) => void validate(v));
    box.onDidAccept(async () => {
      const value = box.value;
      if (await validate(value)) return;
      await recent.add(value);
      finish(value);
    });
    box.onDidHide(() => finish(undefined));
    box.show();
    if (box.value) void validate(box.value);
  });
}
