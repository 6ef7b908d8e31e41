"""Processing nested JSON: flatten, query, aggregate, pretty print."""
import json

RAW = """
{
  "company": "Acme",
  "departments": [
    {"name": "Engineering", "employees": [
      {"name": "Ann", "salary": 120000, "skills": ["python", "rust"]},
      {"name": "Ben", "salary": 95000, "skills": ["go"]}
    ]},
    {"name": "Sales", "employees": [
      {"name": "Cid", "salary": 70000, "skills": []},
      {"name": "Dee", "salary": 82000, "skills": ["negotiation", "python"]}
    ]},
    {"name": "Empty", "employees": []}
  ]
}
"""


def flatten(obj, prefix=""):
    items = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            items.update(flatten(v, f"{prefix}{k}."))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            items.update(flatten(v, f"{prefix}{i}."))
    else:
        items[prefix[:-1]] = obj
    return items


def main():
    doc = json.loads(RAW)
    print("company:", doc["company"])
    summary = {}
    for dept in doc["departments"]:
        sal = [e["salary"] for e in dept["employees"]]
        summary[dept["name"]] = {
            "headcount": len(sal),
            "total": sum(sal),
            "average": round(sum(sal) / len(sal), 2) if sal else None,
        }
    for name, stats in summary.items():
        print(f"  {name}: {json.dumps(stats, sort_keys=True)}")
    flat = flatten(doc)
    print("flattened keys:", len(flat))
    for k in list(flat)[:6]:
        print(f"  {k} = {flat[k]!r}")
    pythonistas = sorted(e["name"] for d in doc["departments"]
                         for e in d["employees"] if "python" in e["skills"])
    print("python people:", pythonistas)
    doc["departments"][0]["employees"].append({"name": "Eve", "salary": 101000, "skills": ["c"]})
    text = json.dumps(doc, sort_keys=True)
    print("serialized length:", len(text))
    again = json.loads(text)
    print("stable re-serialization:", json.dumps(again, sort_keys=True) == text)
    print(json.dumps(again["departments"][0]["employees"][-1], sort_keys=True, indent=1))


if __name__ == "__main__":
    main()
