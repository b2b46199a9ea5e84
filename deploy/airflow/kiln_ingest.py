"""Submit a Kiln ingestion job, wait for it, and fail the task unless Kiln published it.

Only Airflow's stock HTTP provider (apache-airflow-providers-http) is used: HttpOperator submits the
job with an Idempotency-Key made from the DAG run (a retried task returns the job accepted first,
never a second one), and HttpSensor polls the job until it ends.

Connection ``kiln`` (type HTTP): the service, for example host ``http://kiln.internal`` and port
8080, with the API key of a ``writer`` in its extra, which the HTTP hook sends with every request:
``{"Authorization": "Bearer kiln_..."}``. The key never appears in this file.
Variable ``kiln_job_spec``: the JobSpec as JSON (the sample below otherwise).
"""
import json

import pendulum
from airflow import DAG
from airflow.exceptions import AirflowFailException
from airflow.providers.http.operators.http import HttpOperator
from airflow.providers.http.sensors.http import HttpSensor

SAMPLE_SPEC = {
    "table": "zoo.penguins",
    "source": {
        "uri": "file:///data/raw/penguins.csv",
        "format": "csv",
        "id": {"from": "position"},
        "csv": {"nullValue": "NA"},
    },
    "steps": [{"name": "impute", "params": {"column": "body_mass_g", "strategy": "median", "groupBy": ["species"]}}],
    "maxRejectedRate": 0.05,
}

# the states a Kiln job ends in; only PUBLISHED is a success
FINAL = {"PUBLISHED", "REJECTED", "FAILED", "CANCELLED"}


def job_ended(response):
    """True once the job ended PUBLISHED; False while it runs; fails the task, without retries, when it ended otherwise."""
    job = response.json()
    state = job["state"]
    if state not in FINAL:
        return False
    if state != "PUBLISHED":
        error = job.get("error") or {}
        raise AirflowFailException(
            "Kiln job %s ended %s: %s %s" % (job["id"], state, error.get("code", ""), error.get("message", ""))
        )
    return True


with DAG(
    dag_id="kiln_ingest",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    schedule="@daily",
    catchup=False,
    tags=["kiln"],
) as dag:
    submit = HttpOperator(
        task_id="submit",
        http_conn_id="kiln",
        endpoint="/v1/jobs",
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": "airflow-{{ dag.dag_id }}-{{ run_id }}"},
        # the variable's JobSpec, else the sample (a param: its braces are data, not template)
        data="{{ var.value.get('kiln_job_spec', params.sample_spec) }}",
        params={"sample_spec": json.dumps(SAMPLE_SPEC)},
        response_check=lambda response: response.status_code == 202,
        response_filter=lambda response: response.json()["id"],
        log_response=True,
    )

    wait = HttpSensor(
        task_id="wait",
        http_conn_id="kiln",
        endpoint="/v1/jobs/{{ ti.xcom_pull(task_ids='submit') }}",
        method="GET",
        response_check=job_ended,
        poke_interval=10,
        timeout=6 * 3600,
        mode="reschedule",
    )

    submit >> wait
