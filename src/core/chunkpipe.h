/*
 * src/core/chunkpipe.h
 *	  A bounded queue of byte chunks between one producer thread and one
 *	  consumer thread: what a shell pipe gives `psql | psql`.
 *
 * Fetch reads a shard from the source on one thread and writes it to the
 * target on another, so both servers work at the same time instead of taking
 * turns.  Memory is fixed: nchunks buffers of chunk_size bytes, allocated
 * once.  The producer blocks when all chunks are full; the consumer when all
 * are empty.  Either side can fail: chunkpipe_abort (consumer) makes the
 * producer's next write return false; chunkpipe_close(ok = false) (producer)
 * ends the consumer's reads and is reported by chunkpipe_producer_ok.
 */
#ifndef GODWIT_CORE_CHUNKPIPE_H
#define GODWIT_CORE_CHUNKPIPE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ChunkPipe ChunkPipe;

ChunkPipe  *chunkpipe_new(size_t chunk_size, int nchunks);
void		chunkpipe_free(ChunkPipe *p);
/* Make the pipe empty and open again (between two uses; no thread may use it). */
void		chunkpipe_reset(ChunkPipe *p);

/* Producer: copy data in; false once the consumer aborted. */
bool		chunkpipe_write(ChunkPipe *p, const char *data, size_t len);
/* Producer: no more data; ok = whether the producer succeeded. */
void		chunkpipe_close(ChunkPipe *p, bool ok);

/*
 * Consumer: the next chunk (valid until chunkpipe_release), or false at the
 * end of the data.
 */
bool		chunkpipe_read(ChunkPipe *p, const char **data, size_t *len);
void		chunkpipe_release(ChunkPipe *p);
void		chunkpipe_abort(ChunkPipe *p);
bool		chunkpipe_producer_ok(ChunkPipe *p);

#endif
