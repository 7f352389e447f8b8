import { extractBearerToken } from "../../functions/commons";

describe("extractBearerToken", () => {
  test.each<[string, string]>([
    ["Bearer abc.def.ghi", "abc.def.ghi"],
    ["bearer abc.def.ghi", "abc.def.ghi"],
    ["BEARER abc.def.ghi", "abc.def.ghi"],
    ["BeArEr   abc.def.ghi", "abc.def.ghi"],
    ["Bearer\tabc.def.ghi", "abc.def.ghi"],
    ["  Bearer abc.def.ghi  ", "abc.def.ghi"],
    ["abc.def.ghi", "abc.def.ghi"],
    ["Bearerabc.def.ghi", "Bearerabc.def.ghi"],
  ])("%p → %p", (value, token) => {
    expect(extractBearerToken(value)).toBe(token);
  });

  test.each<[unknown, string]>([
    [undefined, "TOKEN_MISSING"],
    [null, "TOKEN_MISSING"],
    ["", "TOKEN_MISSING"],
    ["   ", "TOKEN_MISSING"],
    ["Bearer", "TOKEN_MISSING"],
    ["bearer   ", "TOKEN_MISSING"],
    ["Basic dXNlcjpwYXNz", "TOKEN_MALFORMED"],
    ["Bearer a b", "TOKEN_MALFORMED"],
    ["Bearer a\nb", "TOKEN_MALFORMED"],
  ])("%p → %s", (value, code) => {
    expect(() => extractBearerToken(value as string)).toThrow(expect.objectContaining({ code }));
  });
});
