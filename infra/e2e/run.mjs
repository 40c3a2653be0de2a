// Runs the synthesized import state machine with aws-local-stepfunctions.
// Every Task state is answered by POSTing {"resource","input"} to the
// invoke endpoint (the Go test, which runs the function's real bootstrap
// through a local Lambda runtime API); a function error comes back as
// {"errorType","errorMessage","body"} and is thrown with the errorType as
// its name, as Step Functions sees a Lambda error.
//
// usage: node e2e/run.mjs DEFINITION.json INPUT.json INVOKE_URL
// prints {"status":"SUCCEEDED","output":…} or {"status":"FAILED","error","cause"}.
import { readFileSync } from 'node:fs';

// aws-local-stepfunctions uses Node 22's Promise.withResolvers.
Promise.withResolvers ??= function withResolvers() {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
};

const { StateMachine } = await import('aws-local-stepfunctions');

const [definitionPath, inputPath, invokeURL] = process.argv.slice(2);
if (!invokeURL) {
  console.error('usage: node e2e/run.mjs DEFINITION.json INPUT.json INVOKE_URL');
  process.exit(2);
}
const definition = JSON.parse(readFileSync(definitionPath, 'utf8'));
const input = JSON.parse(readFileSync(inputPath, 'utf8'));

// Every Task state, at any depth (the Map's item processor included).
function tasks(states, out = {}) {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') out[name] = state.Resource;
    const inner = state.ItemProcessor ?? state.Iterator;
    if (inner) tasks(inner.States, out);
    for (const branch of state.Branches ?? []) tasks(branch.States, out);
  }
  return out;
}

const handlers = {};
const retries = {};
for (const [name, resource] of Object.entries(tasks(definition.States))) {
  handlers[name] = async (taskInput) => {
    const res = await fetch(invokeURL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: name, resource, input: taskInput }),
    });
    if (!res.ok) throw new Error(`invoke endpoint: ${res.status} ${await res.text()}`);
    const out = await res.json();
    if (out.errorType) {
      const err = new Error(out.body);
      err.name = out.errorType;
      throw err;
    }
    return out.result;
  };
  retries[name] = 0; // the test need not wait out the back-off
}

const sm = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
const execution = sm.run(input, { overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: retries } });
try {
  const output = await execution.result;
  console.log(JSON.stringify({ status: 'SUCCEEDED', output }));
} catch (e) {
  const cause = e.cause ?? e;
  console.log(JSON.stringify({ status: 'FAILED', error: cause.name, cause: cause.message }));
}
