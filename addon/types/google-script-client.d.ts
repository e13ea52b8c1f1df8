// The client-side API of HtmlService pages (google.script.run, google.script.host),
// which @types/google-apps-script does not describe. Only what the add-on uses.

interface GoogleScriptRunner {
  withSuccessHandler(handler: (value: any, userObject?: any) => void): GoogleScriptRunner;
  withFailureHandler(handler: (error: Error, userObject?: any) => void): GoogleScriptRunner;
  withUserObject(object: any): GoogleScriptRunner;
  getLatestRun(): void;
  getSettingsForm(): void;
  saveSettings(form: Record<string, string>): void;
}

declare namespace google {
  namespace script {
    const run: GoogleScriptRunner;
    namespace host {
      function close(): void;
      function setHeight(height: number): void;
      function setWidth(width: number): void;
      const origin: string;
    }
  }
}
