// Package sftpd is Roster's local SFTP server (SPEC I8): a customer's
// system logs in as its integration and drops files into that
// integration's inbound folder, inbound/{tenant}/{integration}/. It is the
// request server of github.com/pkg/sftp over golang.org/x/crypto/ssh; the
// protocol is theirs, the folder rules are here.
//
// Decisions:
//
//   - Logins. Each login is checked by a callback (password, or public key
//     against authorized keys) that names its Account: tenant and
//     integration. Users, a table of logins with bcrypt password hashes
//     and authorized keys, provides both callbacks.
//   - A flat, virtual home. A session sees one folder, its integration's,
//     as "/". Nothing is looked up on the host's file system by name: paths
//     are cleaned against "/" (so ".." cannot climb out), a path with a
//     folder in it is refused, folders cannot be made, and links cannot be
//     made or read. Another integration's files are never visible.
//   - Write only. No file can be read back (I8: the pushing system reads
//     nothing). Listing and stat show names, sizes and times of the files
//     this server holds or delivered since it started, which is what
//     clients need to check an upload. A delivered file cannot be renamed
//     or deleted; an unfinished (temporary) upload can be, since clients
//     clean those up.
//   - Delivery when complete, never before (I2). An upload is written to a
//     spool file in the data directory. It is handed to Promote only when
//     the client closes the file normally and every byte from 0 to its size
//     was written. An upload under a temporary name (*.part, *.filepart,
//     *.tmp, or a name starting with ".", as roster.IncompleteReason says)
//     waits in the spool until it is renamed to a final name, and that name
//     is delivered. A session that ends with the file open (killed client,
//     dropped connection, server stopping) discards the bytes; so does a
//     restart, which empties the spool. Promote's error fails the client's
//     close or rename, so the client knows to send the file again.
//   - A session quiet for IdleTimeout (default 10 minutes) is ended, like
//     a dropped one: a client that hangs mid-file delivers nothing and
//     leaves nothing in the spool. The SSH handshake has 30 seconds.
//   - Every open starts a new file: resuming (append) is refused, since a
//     resumed file could mix two exports.
//   - SetStat succeeds and does nothing, as AWS Transfer Family's
//     ENABLE_NO_OP: clients set times after an upload and would otherwise
//     report the transfer failed.
//   - The host key is an ed25519 key generated into the data directory on
//     first start (OpenSSH format, mode 0600) and reused after.
//   - Logs name the tenant, integration, login, remote address, file name
//     and size; never the file's content.
package sftpd
