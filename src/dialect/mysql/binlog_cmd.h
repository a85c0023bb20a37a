/*
 * src/dialect/mysql/binlog_cmd.h
 *	  Build the replica-side commands of the MySQL replication protocol:
 *	  COM_REGISTER_SLAVE, COM_BINLOG_DUMP (MariaDB GTID mode and file/pos)
 *	  and COM_BINLOG_DUMP_GTID (MySQL).  Pure: payload bytes out (without
 *	  the command byte, which the client library adds).
 */
#ifndef GODWIT_DIALECT_MYSQL_BINLOG_CMD_H
#define GODWIT_DIALECT_MYSQL_BINLOG_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/gtid.h"
#include "common/strbuf.h"

#define BINLOG_COM_BINLOG_DUMP		0x12
#define BINLOG_COM_REGISTER_SLAVE	0x15
#define BINLOG_COM_BINLOG_DUMP_GTID 0x1e

#define BINLOG_DUMP_NON_BLOCK		0x01
#define BINLOG_DUMP_SEND_ANNOTATE	0x02	/* MariaDB: send ANNOTATE_ROWS */
#define BINLOG_DUMP_THROUGH_GTID	0x04	/* MySQL COM_BINLOG_DUMP_GTID */

/*
 * COM_REGISTER_SLAVE payload:
 *   4 server_id | 1+n hostname | 1+n user | 1+n password | 2 port |
 *   4 replication rank (0) | 4 master id (0)
 */
void		binlog_cmd_register(StrBuf *out, uint32_t server_id, const char *host, uint16_t port);

/*
 * COM_BINLOG_DUMP payload: 4 position | 2 flags | 4 server_id | file name.
 * MariaDB GTID mode sends an empty file name and position 4 after setting
 * @slave_connect_state.
 */
void		binlog_cmd_dump(StrBuf *out, uint32_t server_id, const char *file, uint32_t pos, uint16_t flags);

/*
 * COM_BINLOG_DUMP_GTID payload (MySQL 5.6+):
 *   2 flags (THROUGH_GTID) | 4 server_id | 4 name_len | name | 8 position |
 *   4 data_size | GTID set: 8 n_sids | n_sids x (16 uuid | 8 n_intervals |
 *   n_intervals x (8 start | 8 end exclusive))
 * Tagged GTIDs (8.4) cannot be sent in this encoding: returns false.
 */
bool		binlog_cmd_dump_gtid(StrBuf *out, uint32_t server_id, const GtidSet *executed);

#endif
