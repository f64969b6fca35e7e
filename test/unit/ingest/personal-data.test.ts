import { describe, expect, it } from 'vitest';
import { personalDataKind } from '../../../src/ingest/personal-data.js';

describe('personal data in label values', () => {
  it.each([
    ['jane.doe@example.com', 'email'],
    ['user:jane@example.co.uk', 'email'],
    ['4111111111111111', 'card_number'],
    ['4111-1111-1111-1111', 'card_number'],
    ['5500 0000 0000 0004', 'card_number'],
    ['card_378282246310005', 'card_number'],
    ['DE89370400440532013000', 'iban'],
    ['GB82WEST12345698765432', 'iban'],
    ['fr7630006000011234567890189', 'iban'],
    ['550e8400-e29b-41d4-a716-446655440000', 'id'],
    ['550E8400E29B41D4A716446655440000', 'id'],
    ['507f1f77bcf86cd799439011', 'id'],
    ['user_1700000000123', 'id'],
    ['10.1.2.3', 'ip_address'],
    ['host-192.168.0.17', 'ip_address'],
    ['2001:db8::1', 'ip_address'],
    ['::ffff:10.0.0.1', 'ip_address'],
    ['+4915112345678', 'phone_number'],
  ])('%s is %s', (value, kind) => {
    expect(personalDataKind(value)).toBe(kind);
  });

  it.each([
    'postgresql',
    'SELECT',
    'public.users',
    'gpt-4o',
    'gpt-4o-2024-08-06',
    'claude-3-5-sonnet@20240620',
    'meta-llama/Llama-3.1-70B-Instruct',
    'anthropic.claude-v2:1',
    'ORA-17002',
    '40001',
    'sqlalchemy.exc.OperationalError',
    'us-east-1',
    'v1.2.3',
    'text-embedding-3-large',
    'gemini-1.5-pro-002',
    'deadbeef',
    'EUR',
  ])('%s is fine', (value) => {
    expect(personalDataKind(value)).toBeUndefined();
  });

  it('refuses digit runs by their checksum', () => {
    // A 16-digit number failing Luhn is still refused, as an id.
    expect(personalDataKind('4111111111111112')).toBe('id');
  });
});
