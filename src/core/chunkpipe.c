/*
 * src/core/chunkpipe.c
 *	  Bounded chunk queue between two threads (see chunkpipe.h).
 *
 * Chunks form a ring: the producer fills slot `fill` (not yet visible), then
 * publishes it; the consumer takes published slots from `head`.
 */
#include "core/chunkpipe.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/mem.h"

struct ChunkPipe
{
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	size_t		chunk_size;
	int			nchunks;
	char	  **bufs;
	size_t	   *lens;
	int			head;			/* oldest published chunk */
	int			count;			/* published chunks */
	bool		filling;		/* the producer owns slot fill_slot ... */
	int			fill_slot;		/* ... = (head + count) % n when it started */
	bool		closed;
	bool		producer_ok;
	bool		aborted;
	bool		reading;		/* the consumer holds the head chunk (still counted) */
};

ChunkPipe *
chunkpipe_new(size_t chunk_size, int nchunks)
{
	ChunkPipe  *p = gw_new(ChunkPipe);

	pthread_mutex_init(&p->mutex, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->chunk_size = chunk_size;
	p->nchunks = nchunks;
	p->bufs = gw_new_array(char *, (size_t) nchunks);
	p->lens = gw_new_array(size_t, (size_t) nchunks);
	for (int i = 0; i < nchunks; i++)
		p->bufs[i] = gw_malloc(chunk_size);
	chunkpipe_reset(p);
	return p;
}

void
chunkpipe_free(ChunkPipe *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->nchunks; i++)
		free(p->bufs[i]);
	free(p->bufs);
	free(p->lens);
	pthread_mutex_destroy(&p->mutex);
	pthread_cond_destroy(&p->cond);
	free(p);
}

void
chunkpipe_reset(ChunkPipe *p)
{
	p->head = p->count = 0;
	p->filling = p->closed = p->aborted = p->reading = false;
	p->producer_ok = true;
	for (int i = 0; i < p->nchunks; i++)
		p->lens[i] = 0;
}

/* Publish the chunk being filled; mutex held. */
static void
publish(ChunkPipe *p)
{
	if (p->filling)
	{
		p->filling = false;
		p->count++;
		pthread_cond_broadcast(&p->cond);
	}
}

bool
chunkpipe_write(ChunkPipe *p, const char *data, size_t len)
{
	/*
	 * Fast path, without the lock: while the producer fills its slot no other
	 * thread touches it (the consumer only sees published slots).
	 */
	if (p->filling && p->chunk_size - p->lens[p->fill_slot] > len)
	{
		memcpy(p->bufs[p->fill_slot] + p->lens[p->fill_slot], data, len);
		p->lens[p->fill_slot] += len;
		return true;
	}
	pthread_mutex_lock(&p->mutex);
	while (len > 0)
	{
		if (p->aborted)
		{
			pthread_mutex_unlock(&p->mutex);
			return false;
		}
		if (!p->filling)
		{
			/* wait for a free slot: published chunks (the one being read included) fill the ring */
			while (p->count >= p->nchunks && !p->aborted)
				pthread_cond_wait(&p->cond, &p->mutex);
			if (p->aborted)
				continue;
			p->filling = true;
			p->fill_slot = (p->head + p->count) % p->nchunks;
			p->lens[p->fill_slot] = 0;
		}
		int			slot = p->fill_slot;
		size_t		room = p->chunk_size - p->lens[slot];
		size_t		n = len < room ? len : room;

		/* copying outside the lock: the slot belongs to the producer */
		pthread_mutex_unlock(&p->mutex);
		memcpy(p->bufs[slot] + p->lens[slot], data, n);
		pthread_mutex_lock(&p->mutex);
		p->lens[slot] += n;
		data += n;
		len -= n;
		if (p->lens[slot] == p->chunk_size)
			publish(p);
	}
	pthread_mutex_unlock(&p->mutex);
	return true;
}

void
chunkpipe_close(ChunkPipe *p, bool ok)
{
	pthread_mutex_lock(&p->mutex);
	if (p->filling && p->lens[p->fill_slot] > 0)
		publish(p);
	p->filling = false;
	p->closed = true;
	p->producer_ok = ok;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mutex);
}

bool
chunkpipe_read(ChunkPipe *p, const char **data, size_t *len)
{
	pthread_mutex_lock(&p->mutex);
	while (p->count == 0 && !p->closed && !p->aborted)
		pthread_cond_wait(&p->cond, &p->mutex);
	if (p->count == 0 || p->aborted)
	{
		pthread_mutex_unlock(&p->mutex);
		return false;
	}
	p->reading = true;
	*data = p->bufs[p->head];
	*len = p->lens[p->head];
	pthread_mutex_unlock(&p->mutex);
	return true;
}

void
chunkpipe_release(ChunkPipe *p)
{
	pthread_mutex_lock(&p->mutex);
	if (p->reading)
	{
		p->reading = false;
		p->head = (p->head + 1) % p->nchunks;
		p->count--;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->mutex);
}

void
chunkpipe_abort(ChunkPipe *p)
{
	pthread_mutex_lock(&p->mutex);
	p->aborted = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mutex);
}

bool
chunkpipe_producer_ok(ChunkPipe *p)
{
	bool		ok;

	pthread_mutex_lock(&p->mutex);
	ok = p->closed && p->producer_ok;
	pthread_mutex_unlock(&p->mutex);
	return ok;
}
