"""Reports made before possible subjects were recorded: record them now.

A picked colleague is the report's possible subject; for a typed-in name, everyone in the directory the
name could mean (reports/subjects.py, whose pure name functions are used here). From now on none of them
can open the case, and the next re-check on opening moves it away from any of them who handles it.
"""

from django.db import migrations


def record(apps, schema_editor):
    from reports.subjects import name_parts, parts_match

    ConcernReport = apps.get_model("reports", "ConcernReport")
    User = apps.get_model("trust", "User")
    directory = [(pk, name_parts(name)) for pk, name in User.objects.values_list("pk", "full_name")]
    for report in ConcernReport.objects.all().iterator():
        if report.subject_id:
            ids = {report.subject_id}
        else:
            typed = name_parts(report.subject_name)
            ids = {pk for pk, parts in directory if pk != report.reporter_id and parts_match(typed, parts)}
        report.possible_subjects.add(*ids)


def forget(apps, schema_editor):
    ConcernReport = apps.get_model("reports", "ConcernReport")
    ConcernReport.possible_subjects.through.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_possible_subjects_and_stepping_aside"),
        ("trust", "0001_initial"),
    ]

    operations = [migrations.RunPython(record, forget)]
