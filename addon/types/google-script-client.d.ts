// The client-side API of HtmlService pages (google.script.run, google.script.host),
// which @types/google-apps-script does not describe. Only what the add-on uses.

interface GoogleScriptRunner {
  withSuccessHandler(handler: (value: any, userObject?: any) => void): GoogleScriptRunner;
  withFailureHandler(handler: (error: Error, userObject?: any) => void): GoogleScriptRunner;
  withUserObject(object: any): GoogleScriptRunner;
  getLatestRun(): void;
  getQuarters(): void;
  getHistory(): void;
  startClassification(quarter: string | null): void;
  pollRun(id: string, attempt: number, elapsedMs: number): void;
  jumpToIssue(tab: string, row: number, column: string | null): void;
  getSettingsForm(): void;
  saveSettings(form: Record<string, string>): void;
  getAlerts(): void;
  saveAlerts(form: { webhookUrl: string; on: string[] }): void;
  removeAlertsWebhook(): void;
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
