#!/usr/bin/perl
# is_fill.pl: times the fill of each INFORMATION_SCHEMA.LOCKDIAG_* table
# (scripts/bench-is-fill.sh), or fills one in a loop for the writers' test.
#
#   is_fill.pl SOCKET time N          # N fills of each table: rows, median and max ms
#   is_fill.pl SOCKET loop TABLE SECS # fill TABLE again and again for SECS seconds
#
# COUNT(*) makes the server fill the whole table (an INFORMATION_SCHEMA
# table is materialised before it is read) without sending the rows, so the
# time is the fill's and the statement's, not the network's.
use strict;
use warnings;
use DBI;
use Time::HiRes qw(time);

my ($socket, $mode, @args) = @ARGV;
die "usage: $0 SOCKET time N | loop TABLE SECS\n" unless $socket && $mode;
my $dbh = DBI->connect("DBI:MariaDB:mariadb_socket=$socket", 'root', '', { RaiseError => 1, PrintError => 0 });

if ($mode eq 'time') {
  my $n = $args[0] // 20;
  printf "| table | rows | fill ms (median of %d) | fill ms (max) |\n|---|---|---|---|\n", $n;
  for my $t (qw(TABLES LOCK_ORDER PATTERNS INCIDENTS ENCODING CONNECTIONS)) {
    my @ms;
    my $rows = 0;
    for (1 .. $n) {
      my $start = time;
      ($rows) = $dbh->selectrow_array("SELECT COUNT(*) FROM information_schema.LOCKDIAG_$t");
      push @ms, 1000 * (time - $start);
    }
    @ms = sort { $a <=> $b } @ms;
    printf "| LOCKDIAG_%s | %d | %.1f | %.1f |\n", $t, $rows, $ms[int(@ms / 2)], $ms[-1];
  }
} elsif ($mode eq 'loop') {
  my ($table, $secs) = @args;
  my $end = time + $secs;
  my $fills = 0;
  while (time < $end) {
    $dbh->selectrow_array("SELECT COUNT(*) FROM information_schema.LOCKDIAG_$table");
    $fills++;
  }
  printf "%d fills of LOCKDIAG_%s in %d s\n", $fills, $table, $secs;
} else {
  die "unknown mode $mode\n";
}
