// The shortcut that forwards a server's plain success response unread: what it takes for one, and the
// lines built to fool it, which must all be left to the full parse (undefined).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { holdsSeveralLines } from '../../src/proxy/framing';
import { LineWriter } from '../../src/proxy/line-writer';
import { plainResponseId } from '../../src/proxy/plain-response';

function idOf(text: string): unknown {
  const bytes = Buffer.from(text + '\r\n');
  return plainResponseId(bytes, bytes.length - 2);
}

describe('plainResponseId', () => {
  it('reads the id of a success response, keys in any order, whitespace where JSON allows it', () => {
    assert.equal(idOf('{"result":{"content":[{"type":"text","text":"Echo: hi"}]},"jsonrpc":"2.0","id":7}'), 7);
    assert.equal(idOf('{"jsonrpc":"2.0","id":"req-1","result":{}}'), 'req-1');
    assert.equal(idOf(' { "jsonrpc" : "2.0" ,\t"id" : -3 , "result" : null } '), -3);
    assert.equal(idOf('{"jsonrpc":"2.0","id":0,"result":[1,{"a":"}]"},"\\"id\\":9"]}'), 0);
    assert.equal(idOf('{"jsonrpc":"2.0","id":"é","result":"a \\\\"}'), 'é');
  });

  it('leaves requests, notifications and error responses to the parser', () => {
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"method":"sampling/createMessage","params":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{},"method":"roots/list"}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","method":"notifications/progress","params":{"id":1}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"no"}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":-1,"message":"no"}}'), undefined);
  });

  it('is not fooled by a second id, whatever parser the client uses', () => {
    // First-key-wins and last-key-wins parsers would disagree on which request this answers.
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{"tools":[]},"id":2}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"jsonrpc":"2.0","result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{},"result":{}}'), undefined);
  });

  it('is not fooled by escaped keys or keys it does not know', () => {
    assert.equal(idOf('{"jsonrpc":"2.0","\\u0069d":1,"result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","i\\"d":1,"id":2,"result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{},"\\"id":2}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{},"extra":true}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{},"m\\u0065thod":"tools/call"}'), undefined);
  });

  it('is not fooled by an id or a method inside a string or a nested object', () => {
    assert.equal(idOf('{"jsonrpc":"2.0","result":{"id":5},"x":1}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","result":"\\",\\"id\\":5,\\"method\\":\\"x"}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","result":{"method":"tools/call","id":5}}'), undefined);
  });

  it('takes only plain integer or unescaped string ids', () => {
    assert.equal(idOf('{"jsonrpc":"2.0","id":1.0,"result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1e2,"result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":01,"result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1234567890123456,"result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":"a\\"b","result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":null,"result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":true,"result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.1","id":1,"result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0 ","id":1,"result":{}}'), undefined);
  });

  it('refuses lines that are not one whole object', () => {
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{}}{"jsonrpc":"2.0","id":2,"result":{}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{}} x'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{"a":[}]}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{"a":"unterminated}}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{}'), undefined);
    assert.equal(idOf('{"jsonrpc":"2.0","id":1,"result":{},}'), undefined);
    assert.equal(idOf('[{"jsonrpc":"2.0","id":1,"result":{}}]'), undefined);
    assert.equal(idOf(''), undefined);
  });

  it('looks only at the line, not at the bytes after its end', () => {
    const bytes = Buffer.from('{"jsonrpc":"2.0","id":1,"result":{}}\n{"jsonrpc":"2.0","id":2,"result":{}}\n');
    assert.equal(plainResponseId(bytes, 20), undefined);
    assert.equal(plainResponseId(bytes, bytes.indexOf(10)), 1);
  });
});

describe('LineWriter', () => {
  it('writes at once when not corked, and a batch in one write when corked', () => {
    const writes: string[] = [];
    const writer = new LineWriter((data) => writes.push(data.toString()));
    writer.send('a\n');
    writer.cork();
    writer.cork();
    writer.send(Buffer.from('b\n'));
    writer.send('c\n');
    writer.uncork();
    assert.deepEqual(writes, ['a\n']);
    writer.uncork();
    assert.deepEqual(writes, ['a\n', 'b\nc\n']);
    writer.uncork();
    assert.deepEqual(writes, ['a\n', 'b\nc\n']);
  });

  it('writes lines that follow each other in one chunk as a slice of it, without copying', () => {
    const written: (Buffer | string)[] = [];
    const writer = new LineWriter((data) => written.push(data));
    const chunk = Buffer.from('x\nyy\nzzz\n');
    writer.cork();
    writer.send(chunk.subarray(0, 2));
    writer.send(chunk.subarray(2, 5));
    writer.send(chunk.subarray(5, 9));
    writer.uncork();
    assert.equal(written.length, 1);
    const one = written[0] as Buffer;
    assert.equal(one.toString(), 'x\nyy\nzzz\n');
    assert.equal(one.buffer, chunk.buffer);
  });

  it('copies when the lines are not contiguous, keeping their order', () => {
    const written: string[] = [];
    const writer = new LineWriter((data) => written.push(data.toString()));
    const chunk = Buffer.from('x\nskip\nz\n');
    writer.cork();
    writer.send(chunk.subarray(0, 2));
    writer.send(chunk.subarray(7, 9));
    writer.send('own\n');
    writer.uncork();
    assert.deepEqual(written, ['x\nz\nown\n']);
  });
});

describe('holdsSeveralLines', () => {
  it('is true only when a newline comes before the last byte', () => {
    assert.equal(holdsSeveralLines(Buffer.from('{"a":1}\n')), false);
    assert.equal(holdsSeveralLines(Buffer.from('{"a":1')), false);
    assert.equal(holdsSeveralLines(Buffer.from('{"a":1}\n{"b"')), true);
    assert.equal(holdsSeveralLines(Buffer.from('{"a":1}\n{"b":2}\n')), true);
  });
});
