/** @odoo-module **/
// Copyright 2026 psa_helpdesk authors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
//
// The guided new ticket of the portal (/new/ticket): when the customer picks
// an installation, show whether their contract covers it (the message the
// server rendered on the option) and offer only the modules installed on it.
// Without this script the form still works: the server checks everything.

function psaSetupNewTicket() {
    const installation = document.getElementById("psa_installation");
    const coverage = document.getElementById("psa_coverage");
    const module = document.getElementById("psa_module");
    if (!installation || !coverage) {
        return;
    }
    const update = () => {
        const option = installation.selectedOptions[0];
        const message = option && option.dataset.psaMessage;
        coverage.classList.toggle("d-none", !message);
        coverage.classList.toggle("alert-success", option && option.dataset.psaCovered === "1");
        coverage.classList.toggle("alert-warning", !(option && option.dataset.psaCovered === "1"));
        coverage.textContent = message || "";
        if (module) {
            for (const group of module.querySelectorAll("optgroup")) {
                const mine = group.dataset.psaInstallation === installation.value;
                group.hidden = !mine;
                group.disabled = !mine;
            }
            const selected = module.selectedOptions[0];
            if (selected && selected.parentElement.disabled) {
                module.value = "";
            }
        }
    };
    installation.addEventListener("change", update);
    update();
}

// Suggested articles (deflection): published articles matching the
// installation's product and version, the module and the subject; "yes"
// counts the article and opens no ticket.
async function psaRpc(url, params) {
    const response = await fetch(url, {
        method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({jsonrpc: "2.0", method: "call", params}),
    });
    const data = await response.json();
    if (data.error) {
        throw new Error(data.error.message);
    }
    return data.result;
}

function psaSetupArticles() {
    const box = document.getElementById("psa_articles");
    const installation = document.getElementById("psa_installation");
    const subject = document.querySelector("form input[name='subject']");
    if (!box || !installation || !subject) {
        return;
    }
    const module = document.getElementById("psa_module");
    const list = box.querySelector(".psa_article_list");
    const text = (key) => box.querySelector(`[data-psa-text='${key}']`).textContent;
    let timer = null;
    const refresh = async () => {
        let articles = [];
        try {
            articles = await psaRpc("/my/psa/articles", {
                installation_id: installation.value,
                module_id: module ? module.value : null,
                subject: subject.value,
            });
        } catch {
            articles = [];
        }
        list.replaceChildren();
        box.classList.toggle("d-none", !articles.length);
        for (const article of articles) {
            const card = document.createElement("details");
            card.className = "border rounded p-2 mb-2 psa_article";
            card.dataset.psaArticle = article.id;
            const title = document.createElement("summary");
            title.textContent = article.name;
            const content = document.createElement("div");
            // the article's sanitized HTML (document.page content)
            content.innerHTML = article.content;
            const question = document.createElement("div");
            question.className = "mt-2";
            question.textContent = text("question") + " ";
            const yes = document.createElement("button");
            yes.type = "button";
            yes.className = "btn btn-sm btn-success psa_article_solved";
            yes.textContent = text("yes");
            yes.addEventListener("click", async () => {
                await psaRpc("/my/psa/article_solved", {article_id: article.id});
                const form = box.closest("form");
                const done = document.createElement("div");
                done.className = "alert alert-success psa_deflected";
                done.setAttribute("role", "status");
                done.textContent = text("thanks");
                form.replaceWith(done);
            });
            question.appendChild(yes);
            card.append(title, content, question);
            list.appendChild(card);
        }
    };
    const later = () => {
        clearTimeout(timer);
        timer = setTimeout(refresh, 400);
    };
    subject.addEventListener("input", later);
    installation.addEventListener("change", later);
    if (module) {
        module.addEventListener("change", later);
    }
}

function psaSetup() {
    psaSetupNewTicket();
    psaSetupArticles();
}

if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", psaSetup);
} else {
    psaSetup();
}
