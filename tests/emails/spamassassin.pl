#!/usr/bin/perl
# Score each email file named on the command line with SpamAssassin's local rules only (no
# network test, no Bayes, no auto-whitelist), in one start of SpamAssassin for all of them.
# Prints one JSON object: {"file": {"score": 1.2, "hits": {"RULE": 0.5, ...}}, ...}.
use strict;
use warnings;
use JSON::PP;
use Mail::SpamAssassin;

my $spamassassin = Mail::SpamAssassin->new({
    local_tests_only => 1,
    dont_copy_prefs  => 1,
    userprefs_filename => '/dev/null',
    post_config_text => "use_bayes 0\nuse_auto_whitelist 0\ndns_available no\n",
});
$spamassassin->init(1);

my %scored;
for my $path (@ARGV) {
    open(my $file, '<:raw', $path) or die "$path: $!";
    my $raw = do { local $/; <$file> };
    close($file);
    my $message = $spamassassin->parse($raw);
    my $status = $spamassassin->check($message);
    my %hits = map { split /=/, $_, 2 } split /,/, $status->get_names_of_tests_hit_with_scores();
    $scored{$path} = { score => $status->get_score() + 0, hits => { map { $_ => $hits{$_} + 0 } keys %hits } };
    $status->finish();
    $message->finish();
}
print JSON::PP->new->canonical->encode(\%scored), "\n";
