package io.kiln.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

import io.kiln.api.auth.Roles;
import io.kiln.error.ErrorCode;
import io.kiln.error.KilnException;
import io.kiln.read.ExportManifest;
import io.kiln.read.Exports;
import io.kiln.read.RowFormat;

/** Exports after they were asked for: their state and manifest, and their files for clients on other machines. */
@Path("/v1/exports")
@RolesAllowed(Roles.READER)
public class ExportsResource {
    @Inject
    Exports exports;

    @GET
    @Operation(summary = "List exports, newest first")
    public Map<String, List<ExportView>> list(@Parameter(description = "at most this many (1 to 1000, default 100)") @QueryParam("limit") String limit) {
        int bounded = (int) Math.min(QueryParameters.wholeNumber("limit", limit, 1).orElse(100), 1000);
        return Map.of("exports", exports.list(bounded).stream().map(ExportView::of).toList());
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "An export: state, rows written so far, and once SUCCEEDED its manifest and the paths to download its files")
    public ExportView export(@PathParam("id") String id) {
        return ExportView.of(exports.export(id));
    }

    @GET
    @Path("/{id}/files/{path: .+}")
    @Operation(summary = "Download one file of a finished export (a shard, README.md or manifest.json), by its path in the manifest; "
            + "the X-Kiln-Sha256 header has a shard's sha256 from the manifest")
    public Response file(@PathParam("id") String id, @PathParam("path") String path) throws IOException {
        Exports.FinishedFile finished = exports.file(id, path);
        java.nio.file.Path file = finished.file();
        Response.ResponseBuilder response = Response.ok((StreamingOutput) out -> Files.copy(file, out), mediaType(path))
                .header("Content-Length", Files.size(file))
                .header("Content-Disposition", "attachment; filename=\"" + file.getFileName() + "\"");
        finished.sha256().ifPresent(sha256 -> response.header("X-Kiln-Sha256", sha256));
        return response.build();
    }

    @GET
    @Path("/{id}/archive")
    @Produces("application/x-tar")
    @Operation(summary = "Download a finished export as one tar stream: its shards, README.md and manifest.json, under their manifest paths")
    public Response archive(@PathParam("id") String id) {
        ExportManifest manifest = exports.export(id).operation().result()
                .orElseThrow(() -> new KilnException(ErrorCode.RESOURCE_NOT_FOUND, "Export " + id + " has not finished"));
        List<java.nio.file.Path> files = manifest.paths().stream().map(path -> exports.file(id, path).file()).toList();
        StreamingOutput body = out -> {
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new NonClosing(out))) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                for (int i = 0; i < files.size(); i++) {
                    TarArchiveEntry entry = new TarArchiveEntry(manifest.paths().get(i));
                    entry.setSize(Files.size(files.get(i)));
                    entry.setModTime(0);
                    tar.putArchiveEntry(entry);
                    try (InputStream in = Files.newInputStream(files.get(i))) {
                        in.transferTo(tar);
                    }
                    tar.closeArchiveEntry();
                }
                tar.finish();
            }
        };
        return Response.ok(body, "application/x-tar").header("Content-Disposition", "attachment; filename=\"" + id + ".tar\"").build();
    }

    private static String mediaType(String path) {
        if (path.endsWith(".json")) {
            return MediaType.APPLICATION_JSON;
        }
        if (path.endsWith(".md")) {
            return "text/markdown; charset=utf-8";
        }
        return java.util.Arrays.stream(RowFormat.values()).filter(format -> path.endsWith("." + format.extension())).findFirst()
                .map(RowFormat::mediaType).orElse(MediaType.APPLICATION_OCTET_STREAM);
    }

    /** The response stream, which the container closes. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
