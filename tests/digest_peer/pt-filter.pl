# pt-query-digest --filter code (compare.sh): keeps query events, and writes
# each one's text and fingerprint, as length-prefixed records, to the files
# named by LOCKDIAG_PEER_STATEMENTS and LOCKDIAG_PEER_FINGERPRINTS. Runs
# after pt-query-digest has fingerprinted the event.
do {
  my $keep = ($event->{cmd} // '') eq 'Query' && defined $event->{arg} && defined $event->{fingerprint}
             && $event->{arg} !~ /\Aadministrator command: /;
  if ($keep) {
    unless ($main::lockdiag_peer_st) {
      open($main::lockdiag_peer_st, '>:raw', $ENV{LOCKDIAG_PEER_STATEMENTS})
        or die "pt-filter: $ENV{LOCKDIAG_PEER_STATEMENTS}: $!";
      open($main::lockdiag_peer_fp, '>:raw', $ENV{LOCKDIAG_PEER_FINGERPRINTS})
        or die "pt-filter: $ENV{LOCKDIAG_PEER_FINGERPRINTS}: $!";
    }
    for ([$main::lockdiag_peer_st, $event->{arg}], [$main::lockdiag_peer_fp, $event->{fingerprint}]) {
      my ($fh, $text) = @$_;
      utf8::encode($text) if utf8::is_utf8($text);  # bytes, as in the log
      print {$fh} length($text), "\n", $text, "\n";
    }
  }
  $keep;
}
