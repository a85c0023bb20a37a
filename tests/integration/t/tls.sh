#!/usr/bin/env bash
# TLS to PostgreSQL and MariaDB: a test CA signs the servers' certificates;
# users that may only connect over TLS; verification succeeds with the right CA
# and fails, clearly and without a password in the message, with another one.
. "$(dirname "$0")/../lib/harness.sh"

CA=$TEST_TMP/ca; mkdir -p "$CA"
mkcert() {   # mkcert DIR NAME CA_NAME: a key and a certificate for 127.0.0.1 signed by CA_NAME
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$3" \
    -keyout "$1/$3.key" -out "$1/$3.pem" >/dev/null 2>&1 || true
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$1/$2.key" -out "$1/$2.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:127.0.0.1\n' >"$1/ext.cnf"
  openssl x509 -req -in "$1/$2.csr" -CA "$1/$3.pem" -CAkey "$1/$3.key" -CAcreateserial -days 2 \
    -extfile "$1/ext.cnf" -out "$1/$2.pem" >/dev/null 2>&1
}
mkcert "$CA" server godwit-test-ca
mkdir -p "$CA/other"; openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=other-ca" \
  -keyout "$CA/other/ca.key" -out "$CA/other/ca.pem" >/dev/null 2>&1
chmod 644 "$CA"/*.pem; chmod 755 "$CA"

# --- PostgreSQL -------------------------------------------------------------
pg_node tls
cp "$CA/server.pem" "$CA/server.key" "$tls_DIR/"
chown "$PG_OS_USER" "$tls_DIR/server.pem" "$tls_DIR/server.key" 2>/dev/null; chmod 600 "$tls_DIR/server.key"
cat >>"$tls_DIR/postgresql.conf" <<CONF
ssl = on
ssl_cert_file = '$tls_DIR/server.pem'
ssl_key_file = '$tls_DIR/server.key'
CONF
sed -i '1i hostnossl all tlsonly 127.0.0.1/32 reject\nhostssl all tlsonly 127.0.0.1/32 scram-sha-256' "$tls_DIR/pg_hba.conf"
pg_restart tls
pgq tls postgres "CREATE ROLE tlsonly LOGIN PASSWORD 'tls-S3cret-pw' REPLICATION;
                  CREATE TABLE public.t (id int PRIMARY KEY); GRANT SELECT ON public.t TO tlsonly;"
U="tlsonly:tls-S3cret-pw@127.0.0.1:$tls_PORT/postgres"

gw check --source "postgres://$U?sslmode=require" --no-replication
is "$GW_RC" 0 "PostgreSQL sslmode=require connects over TLS"
gw check --source "postgres://$U?sslmode=verify-full&sslrootcert=$CA/godwit-test-ca.pem" --no-replication
is "$GW_RC" 0 "sslmode=verify-full with the right CA"
gw check --source "postgres://$U?sslmode=verify-full&sslrootcert=$CA/other/ca.pem" --no-replication
is "$GW_RC" 3 "sslmode=verify-full with another CA fails (exit 3)"
like "$GW_ERR" 'certificate verify failed' "the reason is the certificate"
unlike "$GW_OUT$GW_ERR" 'tls-S3cret-pw' "no password in the output"
gw check --source "postgres://$U?sslmode=disable" --no-replication
is "$GW_RC" 3 "without TLS the server refuses this user"
like "$GW_ERR" 'no encryption|pg_hba.conf rejects' "the refusal is explained"
gw check --target "postgres://$U?sslmode=verify-full&sslrootcert=$CA/godwit-test-ca.pem"
like "$GW_OUT" 'target' "a TLS target works too"

# --- MariaDB ----------------------------------------------------------------
mkdir -p "$CA/my"; cp "$CA/server.pem" "$CA/server.key" "$CA/godwit-test-ca.pem" "$CA/my/"
chown -R "$MY_OS_USER" "$CA/my" 2>/dev/null; chmod 700 "$CA/my"; chmod 600 "$CA/my/server.key"
my_node mtls "ssl-ca = $CA/my/godwit-test-ca.pem" "ssl-cert = $CA/my/server.pem" "ssl-key = $CA/my/server.key"
myq mtls "CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY);
          CREATE USER tlsonly@'127.0.0.1' IDENTIFIED BY 'tls-S3cret-pw' REQUIRE SSL;
          GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO tlsonly@'127.0.0.1';"
MU="tlsonly:tls-S3cret-pw@127.0.0.1:$mtls_PORT/shop"
gw check --source "mysql://$MU?ssl-mode=REQUIRED"
is "$GW_RC" 0 "MariaDB ssl-mode=REQUIRED connects over TLS"
gw check --source "mysql://$MU?ssl-mode=VERIFY_CA&ssl-ca=$CA/godwit-test-ca.pem"
is "$GW_RC" 0 "ssl-mode=VERIFY_CA with the right CA"
gw check --source "mysql://$MU?ssl-mode=VERIFY_CA&ssl-ca=$CA/other/ca.pem"
is "$GW_RC" 3 "ssl-mode=VERIFY_CA with another CA fails (exit 3)"
unlike "$GW_OUT$GW_ERR" 'tls-S3cret-pw' "no password in the output"
gw check --source "mysql://$MU?ssl-mode=DISABLED"
is "$GW_RC" 3 "without TLS the server refuses this user"
like "$GW_ERR" 'Access denied' "the refusal is explained"

done_testing
