// Where the pages find the API. Empty: the same origin (`portfolio serve` serves both).
// The CDK deployment replaces this file with the API's URL (context `api_base_url`).
export const API_BASE = "";
