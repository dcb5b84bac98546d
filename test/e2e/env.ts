// What scripts/e2e.mjs hands the tests through E2E_* variables: it starts the server and writes the
// runs; the tests never start servers themselves.

export interface E2EEnv {
  baseUrl: string; // code-server, e.g. http://127.0.0.1:41234
  workspace: string; // folder the workbench opens
  runDir: string; // the demo run inside the workspace
  cliRunDir: string; // an untouched copy of the demo run for the CLI's own report
  hfRunDir: string; // a run of Hugging Face safetensors checkpoints inside the workspace
  cliHfRunDir: string; // an untouched copy of it for the CLI's own report
  cli: string; // dist/cli.js of the packaged build
  shotsDir: string; // screenshots, kept after the run
  chromium: string; // the chromium binary scripts/e2e.mjs checked for
}

export function e2eEnv(): E2EEnv {
  const get = (k: string): string => {
    const v = process.env[k];
    if (!v) {
      throw new Error(`${k} is not set: run the end-to-end suite through \`npm run test:e2e\` (scripts/e2e.mjs)`);
    }
    return v;
  };
  return {
    baseUrl: get('E2E_BASE_URL'),
    workspace: get('E2E_WORKSPACE'),
    runDir: get('E2E_RUN_DIR'),
    cliRunDir: get('E2E_CLI_RUN_DIR'),
    cli: get('E2E_CLI'),
    shotsDir: get('E2E_SHOTS'),
    hfRunDir: get('E2E_HF_RUN_DIR'),
    cliHfRunDir: get('E2E_CLI_HF_RUN_DIR'),
    chromium: get('E2E_CHROMIUM'),
  };
}
