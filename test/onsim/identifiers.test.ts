import { describe, expect, it } from 'vitest';
import {
  EsimCodeSchema,
  EXAMPLES,
  GroupNameSchema,
  IAccountSchema,
  IccidSchema,
  luhnCheckDigit,
  MpnSchema,
  maskEsimCode,
  mpnSchemaFor,
  type Parsed,
  parseEsimCode,
  parseGroupName,
  parseIAccount,
  parseIccid,
  parseMpn,
  recogniseIdentifier,
} from '../../src/onsim/identifiers.js';

function accepted<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(`expected success, got: ${parsed.error}`);
  return parsed.value;
}

function rejected<T>(parsed: Parsed<T>): string {
  if (parsed.ok) throw new Error(`expected an error, got: ${JSON.stringify(parsed.value)}`);
  return parsed.error;
}

const SECRET_CODE = 'LPA:1$smdp.example.com$K2-1ABCD-SECRET9';

describe('luhnCheckDigit', () => {
  it('gives 3 for the textbook example 7992739871 (79927398713 is valid)', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
  });

  it('gives the check digits of known card and ICCID numbers', () => {
    // 4111 1111 1111 1111 is the standard Visa test number.
    expect(luhnCheckDigit('411111111111111')).toBe(1);
    expect(luhnCheckDigit('8944123456789012345')).toBe(4);
    expect(luhnCheckDigit('0')).toBe(0);
  });

  it('rejects anything that is not digits', () => {
    expect(() => luhnCheckDigit('89a4')).toThrow(TypeError);
    expect(() => luhnCheckDigit('')).toThrow(TypeError);
  });
});

describe('EXAMPLES', () => {
  it('holds ICCIDs that parse, the 20-digit one to the 19-digit one', () => {
    expect(accepted(parseIccid(EXAMPLES.iccid))).toBe(EXAMPLES.iccid19);
    expect(accepted(parseIccid(EXAMPLES.iccid19))).toBe(EXAMPLES.iccid19);
    expect(EXAMPLES.iccid).toMatch(/^\d{4}( \d{4}){4}$/);
  });

  it('holds an MPN, an eSIM code, a group name and an account id that parse', () => {
    expect(accepted(parseMpn(EXAMPLES.mpn))).toBe('447700900123');
    expect(accepted(parseMpn(EXAMPLES.mpnNational))).toBe('447700900123');
    expect(accepted(parseEsimCode(EXAMPLES.esimCode))).toBe(EXAMPLES.esimCode);
    expect(accepted(parseGroupName(EXAMPLES.groupName))).toBe(EXAMPLES.groupName);
    expect(accepted(parseIAccount(EXAMPLES.iAccount))).toBe('123456');
  });
});

describe('parseMpn', () => {
  it.each([
    '+44 7700 900123',
    '447700900123',
    '07700 900123',
    '+44 (0)7700-900123',
    '00447700900123',
    '0044 7700 900123',
    '+44 07700 900123',
    '  +44.7700.900123  ',
    '+44\u00a07700\u2013900123',
  ])('normalises %j to 447700900123', (input) => {
    expect(accepted(parseMpn(input))).toBe('447700900123');
  });

  it('accepts the test numbers from the ONSIM docs', () => {
    expect(accepted(parseMpn('447777777777'))).toBe('447777777777');
    expect(accepted(parseMpn('447777777771'))).toBe('447777777771');
  });

  it('accepts numbers of other countries in international form, with or without +', () => {
    expect(accepted(parseMpn('+1 415 555 2671'))).toBe('14155552671');
    expect(accepted(parseMpn('14155552671'))).toBe('14155552671');
    expect(accepted(parseMpn('+33 6 12 34 56 78'))).toBe('33612345678');
    expect(accepted(parseMpn('0033 6 12 34 56 78'))).toBe('33612345678');
    expect(accepted(parseMpn('353851234567'))).toBe('353851234567');
  });

  it('reads a national number as the default country', () => {
    expect(accepted(parseMpn('020 7946 0958'))).toBe('442079460958');
    expect(accepted(parseMpn('(415) 555-2671', 'US'))).toBe('14155552671');
    expect(accepted(parseMpn('06 12 34 56 78', 'FR'))).toBe('33612345678');
  });

  it('reads bare digits that only make sense one way in that way', () => {
    // GB number without its trunk 0; as +7 700… it is not a possible number.
    expect(accepted(parseMpn('7700900123'))).toBe('447700900123');
    // Valid as a London number; merely possible as an Egyptian one.
    expect(accepted(parseMpn('2079460958'))).toBe('442079460958');
  });

  it('says a number is too short, and shows both forms', () => {
    const error = rejected(parseMpn('12345'));
    expect(error).toBe(
      '“12345” is too short for a phone number. Type it in international form, e.g. +44 7700 900123, or national form, e.g. 07700 900123.',
    );
    expect(rejected(parseMpn('+44 7700'))).toContain('too short');
    // Possible in Niue's numbering plan, but below the 8-digit floor kept for ONSIM's MPNs.
    expect(rejected(parseMpn('+683 4002'))).toContain('“+683 4002” is too short');
  });

  it('says a number is too long', () => {
    const error = rejected(parseMpn('+44 7700 9001234'));
    expect(error).toContain('“+44 7700 9001234” is too long for a phone number');
    expect(error).toContain('+44 7700 900123');
    expect(rejected(parseMpn('1234567890123456'))).toContain('too long');
  });

  it('names the letter in a number with letters in it', () => {
    const error = rejected(parseMpn('07700 9OO123'));
    expect(error).toContain('contains the letter “O”');
    expect(error).toContain('e.g. +44 7700 900123');
  });

  it('names a character that does not belong in a phone number', () => {
    const error = rejected(parseMpn('07700#900123'));
    expect(error).toContain('contains “#”');
    expect(error).toContain('e.g. +44 7700 900123');
  });

  it('says a + in the middle is misplaced', () => {
    expect(rejected(parseMpn('44+7700900123'))).toContain('“+” that is not at the start');
  });

  it('says an empty number is empty', () => {
    const error = rejected(parseMpn('   '));
    expect(error).toContain('empty');
    expect(error).toContain('+44 7700 900123');
  });

  it('says when there are no digits at all', () => {
    expect(rejected(parseMpn('+ ( )'))).toContain('has no digits');
  });

  it('says an unknown country code is unknown', () => {
    const error = rejected(parseMpn('+999 123456789'));
    expect(error).toContain('does not start with a known country code');
    expect(error).toContain('+44 7700 900123');
  });

  it('asks for the country code when bare digits could be two different numbers', () => {
    // +31 20 123456 (NL) and 0312 012 3456 (GB) are both possible and neither is a valid number.
    expect(rejected(parseMpn('3120123456'))).toBe(
      '“3120123456” could be +31 20123456 or +44 312 012 3456. Type it with a + and the country code, e.g. +44 7700 900123.',
    );
    expect(accepted(parseMpn('+31 20 123456'))).toBe('3120123456');
    expect(accepted(parseMpn('0312 012 3456'))).toBe('443120123456');
  });

  it('takes the valid reading when only one of two possible readings is valid', () => {
    // +354 551 2345 is a valid Icelandic number; 03545 512345 is not a valid GB one.
    expect(accepted(parseMpn('3545512345'))).toBe('3545512345');
  });

  it('offers only the international form when the default country is not GB', () => {
    const error = rejected(parseMpn('12345', 'US'));
    expect(error).toContain('international form with the country code, e.g. +44 7700 900123');
    expect(error).not.toContain('07700');
  });

  it('does not echo an eSIM code pasted in by mistake', () => {
    const error = rejected(parseMpn(SECRET_CODE));
    expect(error).not.toContain('SECRET9');
    expect(error).toContain('“LPA:1$smdp…”');
  });

  it('shortens long input in the message', () => {
    const error = rejected(parseMpn('x'.repeat(200)));
    expect(error).toContain(`“${'x'.repeat(40)}…”`);
    expect(error).not.toContain('x'.repeat(41));
  });
});

describe('parseIccid', () => {
  it('drops the check digit of a printed 20-digit ICCID after verifying it', () => {
    expect(accepted(parseIccid('89441234567890123454'))).toBe('8944123456789012345');
  });

  it.each([
    '8944 1234 5678 9012 3454',
    '8944-1234-5678-9012-3454',
    ' 8944123456789012345 ',
    '8944 1234 5678 9012 345',
    'ONSIM8944123456789012345',
    'onsim 8944 1234 5678 9012 3454',
  ])('accepts %j', (input) => {
    expect(accepted(parseIccid(input))).toBe('8944123456789012345');
  });

  it('accepts the 19-digit ICCIDs from the ONSIM docs as they are', () => {
    expect(accepted(parseIccid('8944530000000012345'))).toBe('8944530000000012345');
    expect(accepted(parseIccid('ONSIM8944000000000123456'))).toBe('8944000000000123456');
  });

  it('says the check digit does not match and what it should be', () => {
    const error = rejected(parseIccid('8944 1234 5678 9012 3457'));
    expect(error).toContain('check digit');
    expect(error).toContain('does not match');
    expect(error).toContain('the last digit should be 4, not 7');
    expect(error).toContain(EXAMPLES.iccid);
  });

  it('computes the expected check digit for the digits typed', () => {
    // One digit mistyped in the body: 8944 1234 5678 9012 3354.
    const expected = luhnCheckDigit('8944123456789012335');
    expect(expected).not.toBe(4);
    expect(rejected(parseIccid('89441234567890123354'))).toContain(`should be ${expected}, not 4`);
  });

  it('says how many digits were typed when the length is wrong', () => {
    const short = rejected(parseIccid('8944 1234 5678 9012 34'));
    expect(short).toContain('has 18 digits; an ICCID has 19 or 20');
    expect(short).toContain(EXAMPLES.iccid);
    expect(rejected(parseIccid('894412345678901234543'))).toContain('has 21 digits');
    expect(rejected(parseIccid('8'))).toContain('has 1 digit;');
  });

  it('says an ICCID must start with 89', () => {
    const error = rejected(parseIccid('7944123456789012345'));
    expect(error).toContain('does not start with 89');
    expect(error).toContain(EXAMPLES.iccid);
  });

  it('names a character that is not a digit', () => {
    const error = rejected(parseIccid('8944 1234 5678 9012 345X'));
    expect(error).toContain('contains “X”');
    expect(error).toContain(EXAMPLES.iccid);
  });

  it('says an empty ICCID is empty', () => {
    expect(rejected(parseIccid(''))).toContain('empty');
  });
});

describe('parseEsimCode', () => {
  it('accepts a full activation code, trimmed', () => {
    expect(accepted(parseEsimCode(`  ${SECRET_CODE}\n`))).toBe(SECRET_CODE);
  });

  it('accepts an empty matching id and the optional trailing fields', () => {
    expect(accepted(parseEsimCode('LPA:1$smdp.example.com$'))).toBe('LPA:1$smdp.example.com$');
    expect(accepted(parseEsimCode('LPA:1$smdp.example.com$ABC$1.3.6.1.4.1$1'))).toBe(
      'LPA:1$smdp.example.com$ABC$1.3.6.1.4.1$1',
    );
  });

  it('upper-cases a lower-case lpa: prefix', () => {
    expect(accepted(parseEsimCode('lpa:1$smdp.example.com$abc'))).toBe('LPA:1$smdp.example.com$abc');
  });

  it('rejects text that does not start with LPA:1, with an example', () => {
    const error = rejected(parseEsimCode('LPA:XXXXXX'));
    expect(error).toContain('must start with LPA:1');
    expect(error).toContain(EXAMPLES.esimCode);
  });

  it('rejects a code without the SM-DP+ address and matching id', () => {
    const error = rejected(parseEsimCode('LPA:1$smdp.example.com'));
    expect(error).toContain('not a complete eSIM activation code');
    expect(error).toContain(EXAMPLES.esimCode);
    expect(rejected(parseEsimCode('LPA:1$$MATCHINGID'))).toContain('not a complete');
  });

  it('rejects a code with a space in it', () => {
    expect(rejected(parseEsimCode('LPA:1$smdp.example.com$ABC DEF'))).toContain('contains a space');
  });

  it('says an empty code is empty', () => {
    expect(rejected(parseEsimCode(' '))).toContain('empty');
  });

  it('never shows the code in its errors', () => {
    const error = rejected(parseEsimCode(`${SECRET_CODE} trailing`));
    expect(error).not.toContain('SECRET9');
    expect(error).toContain('“LPA:1$smdp…”');
    expect(rejected(parseEsimCode('1$smdp.example.com$SECRET9'))).not.toContain('SECRET9');
  });
});

describe('maskEsimCode', () => {
  it('keeps the first 10 characters and adds an ellipsis', () => {
    expect(maskEsimCode(SECRET_CODE)).toBe('LPA:1$smdp…');
  });

  it('shows only 5 characters of a code of 10 characters or fewer', () => {
    expect(maskEsimCode('LPA:1$a$bc')).toBe('LPA:1…');
  });
});

describe('parseGroupName', () => {
  it.each(['acme-sales_01', 'CUSTOMER_A', 'ExampleCustomer', 'abc', '1a2', 'a'.repeat(45)])(
    'accepts %j',
    (name) => {
      expect(accepted(parseGroupName(name))).toBe(name);
    },
  );

  it('trims surrounding spaces', () => {
    expect(accepted(parseGroupName('  acme  '))).toBe('acme');
  });

  it('says a name with a space contains a space', () => {
    const error = rejected(parseGroupName('acme sales'));
    expect(error).toBe(
      '“acme sales” is not a valid group name: it contains a space. A group name is 3 to 45 characters of letters (a-z, A-Z), digits, _ or -, starts with a letter or digit and has at least one letter, e.g. acme-sales_01.',
    );
  });

  it('names the characters that are not allowed', () => {
    const error = rejected(parseGroupName('acme.sales/é'));
    expect(error).toContain('contains “.”, “/” and “é”');
    expect(error).toContain('e.g. acme-sales_01');
  });

  it('says a name must start with a letter or digit', () => {
    expect(rejected(parseGroupName('-acme'))).toContain('it starts with “-”');
    expect(rejected(parseGroupName('_acme'))).toContain('it starts with “_”');
  });

  it('says a name is too short or too long', () => {
    expect(rejected(parseGroupName('ab'))).toContain('it has only 2 characters');
    expect(rejected(parseGroupName('a'.repeat(46)))).toContain('it has 46 characters');
  });

  it('says a name needs a letter', () => {
    expect(rejected(parseGroupName('12345'))).toContain('it has no letter');
  });

  it('names every rule that fails at once', () => {
    expect(rejected(parseGroupName('-1'))).toContain(
      'it starts with “-”, has only 2 characters and has no letter.',
    );
  });

  it('says an empty name is empty', () => {
    const error = rejected(parseGroupName(''));
    expect(error).toContain('empty');
    expect(error).toContain('acme-sales_01');
  });
});

describe('parseIAccount', () => {
  it.each([
    ['123456', '123456'],
    ['1', '1'],
    ['123456789012', '123456789012'],
    ['acct:42', '42'],
    ['i_account: 42', '42'],
  ])('accepts %j', (input, value) => {
    expect(accepted(parseIAccount(input))).toBe(value);
  });

  it('rejects non-digits and too many digits, with an example', () => {
    const letters = rejected(parseIAccount('12a'));
    expect(letters).toContain('digits only');
    expect(letters).toContain('e.g. 123456');
    expect(rejected(parseIAccount('1234567890123'))).toContain('has 13 digits');
    expect(rejected(parseIAccount('acct:'))).toContain('empty');
  });
});

describe('recogniseIdentifier', () => {
  const all = ['mpn', 'iccid', 'esim_code', 'i_account'] as const;

  it.each([
    ['+44 7700 900123', { kind: 'mpn', value: '447700900123' }],
    ['07700 900123', { kind: 'mpn', value: '447700900123' }],
    ['447777777777', { kind: 'mpn', value: '447777777777' }],
    ['8944 1234 5678 9012 3454', { kind: 'iccid', value: '8944123456789012345' }],
    ['8944530000000012345', { kind: 'iccid', value: '8944530000000012345' }],
    ['ONSIM8944000000000123456', { kind: 'iccid', value: '8944000000000123456' }],
    [SECRET_CODE, { kind: 'esim_code', value: SECRET_CODE }],
    ['acct:123', { kind: 'i_account', value: '123' }],
    ['i_account:12345', { kind: 'i_account', value: '12345' }],
  ])('recognises %j', (input, expected) => {
    expect(accepted(recogniseIdentifier(input, all))).toEqual(expected);
  });

  it('reads a short bare number as an account id only when MPNs are not accepted', () => {
    expect(accepted(recogniseIdentifier('12345', ['iccid', 'i_account']))).toEqual({
      kind: 'i_account',
      value: '12345',
    });
    expect(rejected(recogniseIdentifier('12345', all))).toContain('too short for a phone number');
  });

  it('reads national numbers with the given default country', () => {
    expect(accepted(recogniseIdentifier('(415) 555-2671', ['mpn'], 'US'))).toEqual({
      kind: 'mpn',
      value: '14155552671',
    });
  });

  it('says what the command takes when given an eSIM code, without showing the code', () => {
    const error = rejected(recogniseIdentifier(SECRET_CODE, ['mpn', 'iccid']));
    expect(error).toBe(
      `This command takes a phone number (MPN) or an ICCID, e.g. +44 7700 900123 or ${EXAMPLES.iccid}; “LPA:1$smdp…” looks like an eSIM activation code.`,
    );
  });

  it('says what the command takes when given an ICCID', () => {
    const error = rejected(recogniseIdentifier('8944 1234 5678 9012 3454', ['mpn']));
    expect(error).toContain('This command takes a phone number (MPN), e.g. +44 7700 900123;');
    expect(error).toContain('looks like an ICCID');
  });

  it('says what the command takes when given a phone number or an account id', () => {
    expect(rejected(recogniseIdentifier('+44 7700 900123', ['iccid']))).toContain(
      'looks like a phone number (MPN)',
    );
    expect(rejected(recogniseIdentifier('acct:12', ['mpn', 'iccid', 'esim_code']))).toContain(
      `takes a phone number (MPN), an ICCID or an eSIM activation code, e.g. +44 7700 900123, ${EXAMPLES.iccid} or ${EXAMPLES.esimCode}; “acct:12” looks like an account id`,
    );
  });

  it('does not call words a phone number when MPNs are not accepted', () => {
    const error = rejected(recogniseIdentifier('hello', ['iccid', 'i_account']));
    expect(error).toBe(
      `This command takes an ICCID or an account id, e.g. ${EXAMPLES.iccid} or acct:123456; “hello” is not one of these.`,
    );
  });

  it('passes on the specific error of the recognised kind', () => {
    expect(rejected(recogniseIdentifier('8944 1234 5678 9012 3457', all))).toContain('should be 4, not 7');
    expect(rejected(recogniseIdentifier('8944 1234 5678 9012 34', all))).toContain('has 18 digits');
    expect(rejected(recogniseIdentifier('7944123456789012345', all))).toContain('does not start with 89');
    expect(rejected(recogniseIdentifier('LPA:XXXX', all))).toContain('must start with LPA:1');
    expect(rejected(recogniseIdentifier('acct:x', all))).toContain('digits only');
  });

  it('says what the command takes when nothing was typed', () => {
    expect(rejected(recogniseIdentifier('  ', ['mpn']))).toBe(
      'Nothing was typed. This command takes a phone number (MPN), e.g. +44 7700 900123.',
    );
  });
});

describe('zod schemas', () => {
  it('transform to the normalised value', () => {
    expect(MpnSchema.parse('07700 900123')).toBe('447700900123');
    expect(mpnSchemaFor('US').parse('(415) 555-2671')).toBe('14155552671');
    expect(IccidSchema.parse(EXAMPLES.iccid)).toBe(EXAMPLES.iccid19);
    expect(EsimCodeSchema.parse(` ${EXAMPLES.esimCode} `)).toBe(EXAMPLES.esimCode);
    expect(GroupNameSchema.parse(' acme ')).toBe('acme');
    expect(IAccountSchema.parse('acct:7')).toBe('7');
  });

  it('fail with the same message as the parser', () => {
    const result = IccidSchema.safeParse('8944 1234 5678 9012 3457');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      rejected(parseIccid('8944 1234 5678 9012 3457')),
    ]);
    expect(GroupNameSchema.safeParse('a b').error?.issues[0]?.message).toBe(rejected(parseGroupName('a b')));
    expect(MpnSchema.safeParse('12345').error?.issues[0]?.message).toBe(rejected(parseMpn('12345')));
    expect(EsimCodeSchema.safeParse('nope').error?.issues[0]?.message).toBe(rejected(parseEsimCode('nope')));
  });

  it('reject non-strings', () => {
    expect(MpnSchema.safeParse(447700900123).success).toBe(false);
  });
});

describe('national numbers whose trunk 0 cannot be stripped', () => {
  it.each(['07700 9001', '07700 90', '0770'])(
    'rejects “%s” as too short instead of keeping the 0',
    (input) => {
      const r = parseMpn(input);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/too short/);
    },
  );

  it('still accepts full national numbers', () => {
    expect(parseMpn('07700 900123')).toEqual({ ok: true, value: '447700900123' });
  });
});
