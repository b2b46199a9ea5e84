package io.kiln.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kiln.api.TempDataDirectory;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(TempDataDirectory.class)
class KilnCliTest {
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @TempDir
    Path temp;

    /** The commands that read and look after a table, each against the real service. */
    @Test
    void rowsLineageChecksPinsMaintenanceAndCancelFromTheCommandLine() throws IOException {
        Path fixtures = Path.of("src/test/resources/fixtures").toAbsolutePath();
        Path spec = Files.writeString(temp.resolve("look.json"), "{\"table\": \"cli.look\", \"source\": {\"uri\": \"file://" + fixtures
                + "/docs/clean.jsonl\", \"format\": \"jsonl\"}}");
        Result submitted = run("submit", spec.toString(), "--follow");
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
        String jobId = submitted.out().replaceAll("(?s).*Submitted job (\\S+).*", "$1");
        long snapshot = KilnClient.forUrl("http://localhost:" + port).job(jobId).snapshotId();

        Result rows = run("rows", "cli.look", Long.toString(snapshot), "--columns", "id", "--filter", "id starts_with 'clean-1'", "--limit", "3");
        assertThat(rows.exitCode()).as(rows.err()).isZero();
        assertThat(rows.out().lines().toList()).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("{\"id\":\"clean-1"));
        long sharded = 0;
        for (int shard = 0; shard < 2; shard++) {
            sharded += run("rows", "cli.look", Long.toString(snapshot), "--shard", shard + "/2").out().lines().count();
        }
        assertThat(sharded).isEqualTo(40);
        assertThat(run("rows", "cli.look", Long.toString(snapshot), "--filter", "nope = 1").exitCode()).isEqualTo(2);

        assertThat(run("lineage", "cli.look", "--row", "clean-3").out()).contains(jobId).contains("clean.jsonl");
        assertThat(run("lineage", "cli.look", "--snapshot", Long.toString(snapshot)).out()).contains(jobId);
        assertThat(run("privacy", "cli.look", Long.toString(snapshot), "--quasi-identifiers", "text").out()).contains("\"prosecutorRisk\"");
        assertThat(run("privacy", "cli.look", Long.toString(snapshot)).exitCode()).as("no anonymize step ran: name the columns").isNotZero();
        Result checks = run("checks", "cli.look"); // the test service runs without the check engine, which keeps the history
        assertThat(checks.exitCode()).isEqualTo(2);
        assertThat(checks.err()).contains("check engine").doesNotContain("Exception");

        assertThat(run("pin", "cli.look", Long.toString(snapshot), "--name", "keep", "--reason", "test", "--owner", "me").exitCode()).isZero();
        Result maintenance = run("maintenance", "cli.look", "--expire-days", "0", "--orphan-grace-days", "0");
        assertThat(maintenance.exitCode()).as(maintenance.err()).isZero();
        assertThat(maintenance.out()).contains("retainedSnapshots").contains(Long.toString(snapshot));
        assertThat(run("unpin", "cli.look", "keep").exitCode()).isZero();
        assertThat(run("pins", "cli.look").out()).contains("no pins");

        Result cancel = run("cancel", jobId);
        assertThat(cancel.exitCode()).isEqualTo(2);
        assertThat(cancel.err()).contains("cannot be cancelled");
    }

    /** {@code ./kiln --help} is the script's own text: it must list every command the client has. */
    @Test
    void theScriptsHelpListsEveryCommand() throws IOException {
        String help = Files.readString(Path.of("kiln"));
        help = help.substring(help.indexOf("usage() {"), help.indexOf("\nEOF\n", help.indexOf("usage() {")));
        for (String command : new picocli.CommandLine(new Kiln()).getSubcommands().keySet()) {
            assertThat(help).as("./kiln --help lists %s", command).containsPattern("(?m)^  " + command + "\\b");
        }
    }

    @Test
    void submitsAndFollowsAJobToItsSnapshotThenListsIt() throws IOException {
        Path fixtures = Path.of("src/test/resources/fixtures").toAbsolutePath();
        Path spec = Files.writeString(temp.resolve("spec.json"), "{\"table\": \"cli.docs\", \"source\": {\"uri\": \"file://" + fixtures
                + "/docs/mixed.jsonl\", \"format\": \"jsonl\", \"fields\": {\"id\": \"doc.key\", \"text\": \"body\"}}, \"steps\": [{\"name\": \"normalize\"}]}");

        Result submitted = run("submit", spec.toString(), "--follow");
        assertThat(submitted.exitCode()).as(submitted.err()).isZero();
        assertThat(submitted.out()).contains("PUBLISHED").contains("cli.docs").contains("extract/malformed-json");
        assertThat(submitted.out()).containsPattern("written\\s+10").containsPattern("rejected\\s+3");

        Result snapshots = run("snapshots", "cli.docs");
        assertThat(snapshots.exitCode()).isZero();
        assertThat(snapshots.out()).contains("ON MAIN").containsPattern("yes\\s+main\\s+PASSED").containsPattern("yes\\s+-\\s+staged");
        assertThat(run("tables").out()).contains("cli.docs").contains("cli.docs__rejects");
        assertThat(run("jobs").out()).contains("PUBLISHED");
    }

    @Test
    void pinsResolvesAndReproducesATrainingSnapshot() throws IOException {
        Path fixtures = Path.of("src/test/resources/fixtures").toAbsolutePath();
        Path spec = Files.writeString(temp.resolve("train.json"), "{\"table\": \"cli.train\", \"source\": {\"uri\": \"file://" + fixtures
                + "/docs/clean.jsonl\", \"format\": \"jsonl\"}, \"steps\": [{\"name\": \"normalize\"}]}");
        assertThat(run("submit", spec.toString(), "--follow").exitCode()).isZero();
        String snapshot = run("snapshots", "cli.train", "--json").out().replaceAll("(?s).*?\"snapshotId\"\\s*:\\s*\"(\\d+)\".*", "$1");
        String jobId = run("jobs", "--json").out().replaceAll("(?s).*?\"id\"\\s*:\\s*\"(job-[^\"]+)\".*", "$1");

        Result pinned = run("pin", "cli.train", snapshot, "--name", "run-1", "--reason", "first model", "--owner", "tester");
        assertThat(pinned.exitCode()).as(pinned.err()).isZero();
        assertThat(pinned.out()).contains("as 'run-1'");
        assertThat(run("pins", "cli.train").out()).contains("run-1").contains("tester").contains("until unpinned").contains("first model");

        Path config = Files.writeString(temp.resolve("train.yaml"), "table: cli.train\npin: run-1\ncolumns: [id, text]\n");
        Result resolved = run("resolve", config.toString());
        assertThat(resolved.exitCode()).as(resolved.err()).isZero();
        assertThat(resolved.out()).contains("snapshot        " + snapshot).contains("rows            40 selected (of 40 in the snapshot)").contains("FOR VERSION AS OF " + snapshot);
        Path bad = Files.writeString(temp.resolve("bad.yaml"), "table: cli.train\npin: run-2\n");
        Result failed = run("resolve", bad.toString());
        assertThat(failed.exitCode()).isEqualTo(2);
        assertThat(failed.err()).contains("PIN_NOT_FOUND").contains("no pin 'run-2'");

        Result reproduced = run("reproduce", jobId);
        assertThat(reproduced.exitCode()).as(reproduced.out() + reproduced.err()).isZero();
        assertThat(reproduced.out()).contains("IDENTICAL").contains("UNCHANGED");
    }

    @Test
    void showsTheServicesViolationsAndExitsWithTwo() throws IOException {
        Path spec = Files.writeString(temp.resolve("bad.json"), "{\"table\": \"cli.bad\", \"source\": {\"uri\": \"s3://b/x\", \"format\": \"jsonl\"}}");
        Result result = run("submit", spec.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("INVALID_JOB_SPEC").contains("source.uri").doesNotContain("Exception");
    }

    @Test
    void saysClearlyWhenTheServiceCannotBeReached() {
        Result result = runAt("http://127.0.0.1:1", "jobs");
        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.err()).contains("127.0.0.1:1").doesNotContain("Exception");
    }

    /**
     * The service accepts a submission but its answer comes after the client's timeout: the client
     * sends it again with the same Idempotency-Key, which it sent from the start, and gets the job it
     * created, not a second one. A relay in front of the real service holds back its first answer.
     */
    @Test
    void aSubmissionWhoseAnswerTimesOutIsSentAgainWithItsKeyAndMakesOneJob() throws Exception {
        Path fixtures = Path.of("src/test/resources/fixtures").toAbsolutePath();
        byte[] spec = ("{\"table\": \"cli.retried\", \"source\": {\"uri\": \"file://" + fixtures + "/docs/clean.jsonl\", \"format\": \"jsonl\"}}")
                .getBytes(StandardCharsets.UTF_8);
        java.util.List<String> keys = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.net.http.HttpClient upstream = java.net.http.HttpClient.newHttpClient();
        com.sun.net.httpserver.HttpServer relay = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        relay.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        relay.createContext("/", exchange -> {
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            keys.add(key);
            try {
                java.net.http.HttpResponse<byte[]> answer = upstream.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + port + exchange.getRequestURI()))
                        .header("Content-Type", "application/json").header("Idempotency-Key", key)
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(exchange.getRequestBody().readAllBytes())).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                if (keys.size() == 1) {
                    Thread.sleep(3000); // the answer comes after the client gave up
                }
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length);
                exchange.getResponseBody().write(answer.body());
            }
            catch (InterruptedException | IOException e) {
                exchange.sendResponseHeaders(502, -1);
            }
            finally {
                exchange.close();
            }
        });
        relay.start();
        try {
            KilnClient client = new KilnClient(java.net.URI.create("http://127.0.0.1:" + relay.getAddress().getPort()), java.time.Duration.ofSeconds(1));
            Job job = client.submit(spec, java.util.Optional.empty());
            assertThat(keys).hasSize(2).doesNotContainNull().allSatisfy(key -> assertThat(key).startsWith("kiln-cli-").isEqualTo(keys.get(0)));
            KilnClient direct = KilnClient.forUrl("http://localhost:" + port);
            assertThat(direct.jobs()).filteredOn(listed -> listed.table().equals("cli.retried")).extracting(Job::id).containsExactly(job.id());
        }
        finally {
            relay.stop(0);
        }
    }

    private Result run(String... args) {
        return runAt("http://localhost:" + port, args);
    }

    private static Result runAt(String url, String... args) {
        String[] withUrl = new String[args.length + 2];
        withUrl[0] = "--url";
        withUrl[1] = url;
        System.arraycopy(args, 0, withUrl, 2, args.length);
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exitCode = Kiln.execute(withUrl);
            return new Result(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }

    record Result(int exitCode, String out, String err) {}
}
