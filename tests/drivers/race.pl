#!/usr/bin/perl
# race.pl: a Perl application that races the way real ones do, through
# DBD::MariaDB with server-side prepared statements (mariadb_server_prepare=1,
# no fallback), so that every key reaches the server as a bound parameter
# over the binary protocol (COM_STMT_PREPARE / COM_STMT_EXECUTE).
#
#   perl race.pl txn|autocommit|safe SOCKET SCHEMA
#
# Environment: LOCKDIAG_DRV_USER, LOCKDIAG_DRV_PASSWORD (default
# lockdiag_drv / lockdiag_drv), LOCKDIAG_DRV_ITERATIONS (default 20).
#
# It runs one phase (see README.md) and prints on stdout what it produced,
# counted from the statements it executed, in the format run-drivers.sh
# compares with LOCKDIAG_TABLES / LOCKDIAG_PATTERNS (the tracker below; the
# same as race.php's). Any SQL error ends it with a non-zero exit code.
#
# Transactions are DBI's: begin_work / commit. DBD::MariaDB implements them
# with mysql_autocommit(0) / COMMIT / mysql_autocommit(1), so lockdiag sees
# "SET autocommit=0" transactions rather than BEGIN ones.
use strict;
use warnings;
use DBI;

my ($phase, $socket, $schema) = @ARGV;
if (@ARGV != 3 || $phase !~ /^(txn|autocommit|safe)$/) {
  print STDERR "usage: perl race.pl txn|autocommit|safe SOCKET SCHEMA\n";
  exit 2;
}
my $user = $ENV{LOCKDIAG_DRV_USER} || 'lockdiag_drv';
my $password = $ENV{LOCKDIAG_DRV_PASSWORD} || 'lockdiag_drv';
my $n = $ENV{LOCKDIAG_DRV_ITERATIONS} || 20;

sub fail { print STDERR "race.pl: $_[0]\n"; exit 1; }

# ---------------------------------------------------------------------------
# Tracker: what the executed statements should make lockdiag record, per
# table. Counts grow after a statement succeeded; a read-modify-write
# transaction is one in which a write used a key (column = value) that an
# earlier read of the same table in the same transaction used. Autocommit
# statements are one transaction each; a write whose key the previous
# autocommit statement on that table read with a plain read is an "unscoped"
# read-modify-write pair.
my %track = (prepares => 0, executes => 0, transactions => 0, tables => {}, findings => [], unscoped => {});
my $txn;    # undef outside a transaction
my %last_autocommit_read;
my @columns = qw(reads shared_reads exclusive_reads writes lock_tables transactions unlocked_rmw locked_rmw
  duplicate_key_errors deadlocks lock_wait_timeouts);

sub table_row {
  my ($t) = @_;
  $track{tables}{$t} //= { map { $_ => 0 } @columns };
  return $track{tables}{$t};
}
sub new_txn { return { tables => {}, read => {}, rmw => {} }; }
sub end_txn {
  my ($x) = @_;
  $track{transactions}++ if %{ $x->{tables} };
  table_row($_)->{transactions}++ for keys %{ $x->{tables} };
  for my $t (keys %{ $x->{rmw} }) { table_row($t)->{ $x->{rmw}{$t} ? 'locked_rmw' : 'unlocked_rmw' }++; }
}
# kind: read | exclusive_read | write. key: "column=value".
sub statement {
  my ($table, $kind, $key) = @_;
  table_row($table)->{ $kind eq 'read' ? 'reads' : $kind eq 'exclusive_read' ? 'exclusive_reads' : 'writes' }++;
  my $autocommit = !defined $txn;
  my $x = $autocommit ? new_txn() : $txn;
  $x->{tables}{$table} = 1;
  if ($kind eq 'write') {
    $x->{rmw}{$table} = $x->{read}{$table}{$key}
      if exists $x->{read}{$table}{$key} && !exists $x->{rmw}{$table};
  } else {
    $x->{read}{$table}{$key} = $kind eq 'exclusive_read' ? 1 : 0;
  }
  return unless $autocommit;
  end_txn($x);
  # An unscoped read-modify-write is an unprotected one:
  # UNLOCKED_READ_WRITE_TRANSACTIONS counts it too.
  if ($kind eq 'write' && defined $last_autocommit_read{$table} && $last_autocommit_read{$table} eq $key) {
    $track{unscoped}{$table}++;
    table_row($table)->{unlocked_rmw}++;
  }
  if ($kind eq 'read') { $last_autocommit_read{$table} = $key; } else { delete $last_autocommit_read{$table}; }
}
sub expect_finding {
  my ($pattern, $table) = @_;
  my $occ = $pattern eq 'UNSCOPED_READ_MODIFY_WRITE' ? ($track{unscoped}{$table} // 0)
                                                      : $track{tables}{$table}{unlocked_rmw};
  push @{ $track{findings} }, [ $pattern, $table, $occ ];
}
sub report {
  print "prepares $track{prepares}\n";
  print "executes $track{executes}\n";
  print "transactions $track{transactions}\n";
  for my $t (sort keys %{ $track{tables} }) {
    my $c = $track{tables}{$t};
    print "table $t ", join(' ', map { "$_=$c->{$_}" } @columns), "\n";
  }
  for my $f (@{ $track{findings} }) {
    my $tag = $f->[0] eq 'UNSCOPED_READ_MODIFY_WRITE' ? 'finding-unscoped' : 'finding';
    print "$tag $f->[0] $f->[1] $f->[2] 0\n";
  }
}

# ---------------------------------------------------------------------------
my $dbh = DBI->connect(
  "DBI:MariaDB:database=$schema;mariadb_socket=$socket;mariadb_server_prepare=1;"
    . "mariadb_server_prepare_disable_fallback=1",
  $user, $password, { RaiseError => 1, PrintError => 0, AutoCommit => 1 })
  or fail("connect: $DBI::errstr");

my %prepared;
# run(sql, [params], table, kind, key): one execution of a server-side
# prepared statement, prepared on first use. DBD::MariaDB binds the values
# as strings (DBI's default type).
sub run {
  my ($sql, $params, $table, $kind, $key) = @_;
  unless ($prepared{$sql}) {
    $prepared{$sql} = $dbh->prepare($sql);    # COM_STMT_PREPARE
    $track{prepares}++;
  }
  my $sth = $prepared{$sql};
  $sth->execute(@$params);                    # COM_STMT_EXECUTE
  my $rows = $sth->{NUM_OF_FIELDS} ? $sth->fetchall_arrayref : [];
  $track{executes}++;
  statement($table, $kind, $key);
  return $rows;
}
sub begin { $dbh->begin_work; $txn = new_txn(); }
sub commit { $dbh->commit; end_txn($txn); undef $txn; }

my $select_user = 'SELECT id FROM users WHERE email = ?';
my $insert_user = 'INSERT INTO users (email) VALUES (?)';
my $select_credits = 'SELECT credits FROM accounts WHERE id = ?';
my $update_credits = 'UPDATE accounts SET credits = ? WHERE id = ?';

# Check-then-insert: look the e-mail up, insert it when absent.
sub signup {
  my ($email) = @_;
  my $rows = run($select_user, [$email], 'users', 'read', "email=$email");
  fail("$email already exists: the schema was not fresh") if @$rows;
  run($insert_user, [$email], 'users', 'write', "email=$email");
}
# Read-compute-write: the lost update.
sub spend {
  my ($id, $lock) = @_;
  my $sql = $select_credits . ($lock eq 'exclusive_read' ? ' FOR UPDATE' : '');
  my $rows = run($sql, [$id], 'accounts', $lock, "id=$id");
  fail("account $id not found") unless @$rows == 1;
  run($update_credits, [ $rows->[0][0] - 1, $id ], 'accounts', 'write', "id=$id");
}

if ($phase eq 'txn') {    # (a) the races inside transactions: found today
  for my $i (1 .. $n) { begin(); signup("txn-$i\@example.com"); commit(); }
  for my $i (1 .. $n) { begin(); spend($i, 'read'); commit(); }
  expect_finding('UNLOCKED_READ_MODIFY_WRITE', 'users');
  expect_finding('UNLOCKED_READ_MODIFY_WRITE', 'accounts');
} elsif ($phase eq 'autocommit') {    # (b) the same races without a transaction
  signup("auto-$_\@example.com") for 1 .. $n;
  spend($_, 'read') for 1 .. $n;
  expect_finding('UNSCOPED_READ_MODIFY_WRITE', 'users');
  expect_finding('UNSCOPED_READ_MODIFY_WRITE', 'accounts');
} else {    # (c) the correct versions, and keys that do not match
  for my $i (1 .. $n) { begin(); spend($i, 'exclusive_read'); commit(); }
  # One statement does check and write; each e-mail twice, so that the
  # duplicate-key branch runs too.
  for my $i (1 .. $n) {
    my $email = 'visit-' . int(($i + 1) / 2) . '@example.com';
    run('INSERT INTO visits (email, n) VALUES (?, 1) ON DUPLICATE KEY UPDATE n = n + 1',
      [$email], 'visits', 'write', "email=$email");
  }
  # Read one key, write another: same statements as the race, so only the
  # bound values tell them apart.
  for my $i (1 .. $n) {
    begin();
    my $rows = run($select_user, ["absent-$i\@example.com"], 'users', 'read', "email=absent-$i\@example.com");
    fail("absent-$i\@example.com exists") if @$rows;
    run($insert_user, ["other-$i\@example.com"], 'users', 'write', "email=other-$i\@example.com");
    commit();
  }
}

# The server answers a statement before it notifies audit plugins: one more
# statement on this connection makes sure lockdiag has seen the last one.
my $sync = $dbh->prepare('SELECT 1');
$track{prepares}++;
$sync->execute;
my ($one) = $sync->fetchrow_array;
$sync->finish;
fail('SELECT 1 did not return 1') unless defined $one && $one == 1;
$track{executes}++;
$_->finish for values %prepared;
%prepared = ();
undef $sync;
$dbh->disconnect;
report();
