import { describe, expect, it } from 'vitest';
import { formatTable } from '../../../replay/table.js';

describe('formatTable', () => {
  it('makes each column as wide as its widest cell, so that a long name never runs into the next column', () => {
    const lines = formatTable(
      [{ header: 'projection' }, { header: 'backend' }, { header: 'lag', align: 'right' }, { header: 'checkpoint' }],
      [
        ['profiles', 'postgresql', '0', '(start)'],
        ['notifications', 'postgresql', '12345', 'a:b'],
        ['a-much-longer-projection-name', 'elasticsearch', '7', ''],
      ],
    );
    expect(lines).toEqual([
      'projection                     backend          lag  checkpoint',
      'profiles                       postgresql         0  (start)',
      'notifications                  postgresql     12345  a:b',
      'a-much-longer-projection-name  elasticsearch      7',
    ]);
  });

  it('puts a row of empty leading cells under the last column (status: the other generations)', () => {
    const lines = formatTable(
      [{ header: 'projection' }, { header: 'lag', align: 'right' }, { header: 'checkpoint / other generations' }],
      [
        ['notifications', '3', '(start)'],
        ['', '', 'g2 building, lag 3'],
      ],
    );
    expect(lines).toEqual([
      'projection     lag  checkpoint / other generations',
      'notifications    3  (start)',
      '                    g2 building, lag 3',
    ]);
  });
});
