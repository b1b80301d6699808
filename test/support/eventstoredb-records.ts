import type { EventData } from '@eventstore/db-client';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import type { ClientRecord } from '../../events/eventstoredb/recorded-event.js';

// Recorded events as @eventstore/db-client hands them to the EventStoreDB adapter, with no server:
// the client's EventData (what the adapter appends) is turned into the gRPC message a server
// sends back for it (its bytes as the client's append serialises them), which the client's own
// convertGrpcEvent turns into the resolved event of readStream, readAll and subscribeToAll. What
// the server does in between (keep the bytes, number the revision, place the event in $all) is given.

export interface Placement {
  streamId: string;
  revision: bigint;
  commit?: bigint;
  prepare?: bigint;
  created?: Date;
}

/** `data` (the client's EventData) as a server returns it in a read, converted by the client. */
export const asServerReturns = (data: EventData, { streamId, revision, commit, prepare, created = new Date('2025-03-01T12:00:00.123Z') }: Placement): ClientRecord => {
  const record = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  const id = new sharedPb.UUID();
  id.setString(data.id);
  record.setId(id);
  const stream = new sharedPb.StreamIdentifier();
  stream.setStreamName(Buffer.from(streamId, 'utf8'));
  record.setStreamIdentifier(stream);
  record.setStreamRevision(revision.toString());
  if (commit !== undefined) record.setCommitPosition(commit.toString());
  if (prepare !== undefined) record.setPreparePosition(prepare.toString());
  // EventStoreDB's "created" is in 100 ns ticks since the Unix epoch.
  record.getMetadataMap().set('type', data.type).set('content-type', data.contentType).set('created', (BigInt(created.getTime()) * 10_000n).toString());
  const bytes = (value: unknown) => (value instanceof Uint8Array ? value : Buffer.from(JSON.stringify(value), 'utf8'));
  record.setData(bytes(data.data));
  if (data.metadata !== undefined) record.setCustomMetadata(bytes(data.metadata));
  const event = new streamsPb.ReadResp.ReadEvent();
  event.setEvent(record);
  return convertGrpcEvent(event).event as ClientRecord;
};
