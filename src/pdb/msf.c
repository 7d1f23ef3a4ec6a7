/* MSF 7.0 container: superblock, stream directory, stream reads across
 * blocks. Streams are copied into contiguous buffers on first use only. */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "base/util.h"
#include "pdb/pdb.h"

static const char msf_magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0";

static kdx_status bad(kdx_pdb *pdb, kdx_err *err, const char *what, uint64_t off)
{
    return kdx_err_set(err, KDX_E_FORMAT, "%s: %s (MSF offset 0x%llx)", pdb->path, what,
                       (unsigned long long)off);
}

kdx_status kdx_msf_open(kdx_pdb *pdb, kdx_err *err)
{
    const uint8_t *sb;
    kdx_status st = kdx_file_need(pdb->file, 0, 56, "MSF superblock", &sb, err);
    if (st)
        return st;
    if (memcmp(sb, "Microsoft C/C++ program database 2.00", 37) == 0)
        return kdx_err_set(err, KDX_E_UNSUPPORTED,
                           "%s: a PDB 2.00 (pre-2002 \"JG\") file; only MSF 7.00 PDBs are supported",
                           pdb->path);
    if (memcmp(sb, msf_magic, sizeof msf_magic) != 0)
        return kdx_err_set(err, KDX_E_FORMAT, "%s: not a PDB (MSF 7.00 signature missing at offset 0)",
                           pdb->path);
    uint32_t bs = kdx_le32(sb + 32);
    uint32_t nblocks = kdx_le32(sb + 40);
    uint32_t dir_bytes = kdx_le32(sb + 44);
    uint32_t map_addr = kdx_le32(sb + 52);
    if (bs != 512 && bs != 1024 && bs != 2048 && bs != 4096)
        return bad(pdb, err, "superblock block size is not 512/1024/2048/4096", 32);
    if ((uint64_t)nblocks * bs > pdb->file->size)
        return kdx_err_set(err, KDX_E_TRUNCATED,
                           "%s: MSF superblock says %u blocks of 0x%x bytes but the file has 0x%llx bytes",
                           pdb->path, nblocks, bs, (unsigned long long)pdb->file->size);
    pdb->block_size = bs;
    pdb->num_blocks = nblocks;
    uint32_t ndir = (uint32_t)(((uint64_t)dir_bytes + bs - 1) / bs);
    if (dir_bytes < 4 || ndir > nblocks)
        return bad(pdb, err, "stream directory size is invalid", 44);
    if (map_addr >= nblocks)
        return bad(pdb, err, "block map address is outside the file", 52);
    const uint8_t *map;
    st = kdx_file_need(pdb->file, (uint64_t)map_addr * bs, (uint64_t)ndir * 4,
                       "MSF stream directory block map", &map, err);
    if (st)
        return st;
    pdb->dir_data = malloc((size_t)ndir * bs);
    if (!pdb->dir_data)
        return kdx_err_set(err, KDX_E_NOMEM, "%s: no memory for the stream directory", pdb->path);
    for (uint32_t i = 0; i < ndir; i++) {
        uint32_t b = kdx_le32(map + 4 * i);
        if (b >= nblocks || b == 0)
            return bad(pdb, err, "stream directory block number out of range",
                       (uint64_t)map_addr * bs + 4 * i);
        memcpy(pdb->dir_data + (size_t)i * bs, pdb->file->data + (uint64_t)b * bs, bs);
    }
    const uint8_t *d = pdb->dir_data;
    uint32_t nstreams = kdx_le32(d);
    if ((uint64_t)nstreams * 4 + 4 > dir_bytes)
        return bad(pdb, err, "stream directory stream count exceeds the directory", 0);
    pdb->num_streams = nstreams;
    pdb->stream_sizes = kdx_xcalloc(nstreams ? nstreams : 1, sizeof(uint32_t));
    pdb->stream_blocks = kdx_xcalloc(nstreams ? nstreams : 1, sizeof(uint32_t *));
    pdb->streams = kdx_xcalloc(nstreams ? nstreams : 1, sizeof(kdx_pdb_stream));
    uint64_t pos = 4 + (uint64_t)nstreams * 4;
    for (uint32_t i = 0; i < nstreams; i++) {
        uint32_t size = kdx_le32(d + 4 + 4 * i);
        pdb->stream_sizes[i] = size;
        if (size == 0xffffffffu)
            continue;
        uint64_t nb = ((uint64_t)size + bs - 1) / bs;
        if (nb > nblocks) /* blocks are never shared: no stream outgrows the file */
            return kdx_err_set(err, KDX_E_FORMAT,
                               "%s: stream %u claims 0x%x bytes, more than the file's %u blocks",
                               pdb->path, i, size, nblocks);
        if (pos + nb * 4 > dir_bytes)
            return kdx_err_set(err, KDX_E_FORMAT,
                               "%s: stream %u's block list (%llu blocks) runs past the stream directory",
                               pdb->path, i, (unsigned long long)nb);
        pdb->stream_blocks[i] = (uint32_t *)(void *)(d + pos);
        for (uint64_t j = 0; j < nb; j++)
            if (kdx_le32(d + pos + 4 * j) >= nblocks)
                return kdx_err_set(err, KDX_E_FORMAT,
                                   "%s: stream %u block %llu is out of range (0x%x >= 0x%x blocks)",
                                   pdb->path, i, (unsigned long long)j, kdx_le32(d + pos + 4 * j),
                                   nblocks);
        pos += nb * 4;
    }
    return KDX_OK;
}

bool kdx_msf_stream_exists(const kdx_pdb *pdb, uint32_t idx)
{
    return idx < pdb->num_streams && pdb->stream_sizes[idx] != 0xffffffffu;
}

kdx_status kdx_msf_stream(kdx_pdb *pdb, uint32_t idx, const kdx_pdb_stream **out, kdx_err *err)
{
    if (!kdx_msf_stream_exists(pdb, idx))
        return kdx_err_set(err, KDX_E_NOT_FOUND, "%s: stream %u does not exist", pdb->path, idx);
    kdx_pdb_stream *s = &pdb->streams[idx];
    if (!s->loaded) {
        uint32_t size = pdb->stream_sizes[idx], bs = pdb->block_size;
        uint8_t *buf = malloc(size ? size : 1);
        if (!buf)
            return kdx_err_set(err, KDX_E_NOMEM, "%s: no memory for stream %u (0x%x bytes)",
                               pdb->path, idx, size);
        const uint8_t *list = (const uint8_t *)pdb->stream_blocks[idx];
        for (uint32_t off = 0, j = 0; off < size; off += bs, j++) {
            uint32_t b = kdx_le32(list + 4 * j);
            uint32_t n = KDX_MIN(bs, size - off);
            memcpy(buf + off, pdb->file->data + (uint64_t)b * bs, n);
        }
        s->data = buf;
        s->size = size;
        s->loaded = true;
    }
    *out = s;
    return KDX_OK;
}

void kdx_msf_close(kdx_pdb *pdb)
{
    if (pdb->streams)
        for (uint32_t i = 0; i < pdb->num_streams; i++)
            free(pdb->streams[i].data);
    free(pdb->streams);
    free(pdb->stream_sizes);
    free(pdb->stream_blocks);
    free(pdb->dir_data);
}
